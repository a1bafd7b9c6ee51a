"""Transparency pages (D.Lgs. 33/2013 art. 26-27): public list and the officials' publication queue."""

from django.urls import path

from funding.views import transparency

urlpatterns = [
    path("transparency/", transparency.transparency_list, name="transparency"),
    path("transparency/publish/", transparency.transparency_publish, name="transparency_publish"),
]
