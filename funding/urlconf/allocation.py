"""URL patterns of the allocation and expense-report pages (included by funding/urls.py, namespace
"funding")."""

from django.urls import path, re_path

from funding.views import allocation, expense_documents, expenses

urlpatterns: list = [
    path("allocations/", allocation.allocation_list_view, name="allocation_list"),
    path("allocations/<int:pk>/", allocation.allocation_detail, name="allocation_detail"),
    path("allocations/<int:pk>/adopt/", allocation.allocation_adopt_view, name="allocation_adopt"),
    re_path(
        r"^allocations/(?P<pk>[0-9]+)/pdf/(?P<document>annex|ranking)/$",
        allocation.allocation_document,
        name="allocation_document",
    ),
    path(
        "allocations/<int:pk>/pdf-status/",
        allocation.allocation_document_status,
        name="allocation_document_status",
    ),
    path(
        "allocations/<int:pk>/pdf-regenerate/",
        allocation.allocation_document_regenerate,
        name="allocation_document_regenerate",
    ),
    path("allocations/call/<int:call_pk>/", allocation.call_allocation, name="call_allocation"),
    path(
        "allocations/call/<int:call_pk>/propose/",
        allocation.call_allocation_propose,
        name="call_allocation_propose",
    ),
    path(
        "allocations/call/<int:call_pk>/rerank/",
        allocation.call_allocation_rerank,
        name="call_allocation_rerank",
    ),
    path("allocations/call/<int:call_pk>/close-out/", allocation.call_close_out, name="call_close_out"),
    path(
        "allocations/grants/<int:application_pk>/cancel/", allocation.grant_cancel_view, name="grant_cancel"
    ),
    path("expenses/", expenses.report_list, name="expense_list"),
    path("expenses/new/", expenses.report_create, name="expense_create"),
    path("expenses/<int:pk>/", expenses.report_detail, name="expense_detail"),
    path(
        "expenses/<int:pk>/documents/",
        expense_documents.report_document_upload,
        name="expense_document_upload",
    ),
    path("expenses/<int:pk>/submit/", expenses.report_submit, name="expense_submit"),
    path("expenses/<int:pk>/verify/", expenses.report_verify, name="expense_verify"),
    path("expenses/<int:pk>/lines/<int:line_pk>/remove/", expenses.line_remove, name="expense_line_remove"),
    path("expenses/<int:pk>/lines/<int:line_pk>/attach/", expenses.line_attach, name="expense_line_attach"),
    path("grants/<int:commitment_pk>/close/", expenses.grant_close, name="grant_close"),
]
