from django.urls import path

from inventory.views import analytics, dashboards, devices, expenses, tools

app_name = "inventory"
urlpatterns = [
    path("", devices.DeviceListView.as_view(), name="device_list"),
    path("devices/new/", devices.DeviceRegisterView.as_view(), name="device_register"),
    path("devices/import/", tools.ImportView.as_view(), name="device_import"),
    path("devices/labels.pdf", tools.LabelsView.as_view(), name="labels"),
    path("devices/<int:pk>/", devices.DeviceDetailView.as_view(), name="device_detail"),
    path("devices/<int:pk>/label.pdf", tools.DeviceLabelView.as_view(), name="device_label"),
    path("sites/new/", devices.SiteCreateView.as_view(), name="site_create"),
    path("expense-reports/<int:pk>/devices/", expenses.ExpenseDevicesView.as_view(), name="expense_devices"),
    path("map/", dashboards.MapView.as_view(), name="map"),
    path("funded/", dashboards.FundedVsDeployedView.as_view(), name="funded"),
    path("analytics/", analytics.AnalyticsView.as_view(), name="analytics"),
    path("analytics/sources/", analytics.SourceListView.as_view(), name="source_list"),
    path("analytics/sources/<int:pk>/", analytics.SourceDetailView.as_view(), name="source_detail"),
]
