"""URL patterns of the calls pages (included by funding/urls.py, namespace "funding")."""

from django.urls import path

from funding.views import applications, calls

urlpatterns = [
    # Officials first: "manage" is a reserved call code.
    path("calls/manage/", calls.call_manage_list, name="call_manage_list"),
    path("calls/manage/new/", calls.call_create_view, name="call_create"),
    path("calls/manage/<slug:code>/", calls.call_manage_detail, name="call_manage_detail"),
    path("calls/manage/<slug:code>/edit/", calls.call_edit_view, name="call_edit"),
    path("calls/manage/<slug:code>/publish/", calls.call_publish_view, name="call_publish"),
    path("calls/manage/<slug:code>/close/", calls.call_close_view, name="call_close"),
    path(
        "calls/manage/<slug:code>/documents/", calls.required_document_add_view, name="required_document_add"
    ),
    path(
        "calls/manage/<slug:code>/documents/<int:pk>/remove/",
        calls.required_document_remove_view,
        name="required_document_remove",
    ),
    # Public.
    path("calls/", calls.call_public_list_view, name="call_list"),
    path("calls/<slug:code>/", calls.call_public_detail, name="call_detail"),
    path("calls/<slug:code>/apply/", applications.application_start, name="application_start"),
    # Applications.
    path("applications/", applications.application_list_view, name="application_list"),
    path("applications/review/", applications.review_queue_view, name="review_queue"),
    path("applications/<int:pk>/", applications.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", applications.application_edit, name="application_edit"),
    path("applications/<int:pk>/submit/", applications.application_submit_view, name="application_submit"),
    path("applications/<int:pk>/documents/", applications.document_upload_view, name="document_upload"),
    path(
        "applications/<int:pk>/withdraw/", applications.application_withdraw_view, name="application_withdraw"
    ),
    path("applications/<int:pk>/review/", applications.application_review_view, name="application_review"),
    path("applications/<int:pk>/revoke/", applications.application_revoke_view, name="application_revoke"),
    path("documents/<int:pk>/download/", applications.document_download, name="document_download"),
]
