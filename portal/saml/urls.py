from django.urls import path

from portal.saml import views

app_name = "saml"

urlpatterns = [
    path("metadata/", views.metadata, name="metadata"),
    path("metadata/cie/", views.metadata, {"kind": "cie"}, name="metadata_cie"),
    path("login/", views.login, name="login"),
    path("acs/", views.acs, name="acs"),
    path("ls/", views.sls, name="sls"),
    path("logout/", views.logout, name="logout"),
    path("link/", views.link, name="link"),
    path("link/<str:token>/", views.link_by_email, name="link_by_email"),
    path("register/", views.register, name="register"),
    path("register/<str:token>/", views.register_confirm, name="register_confirm"),
]
