from django.urls import path

from apps.search.api import views_read

urlpatterns = [path("search", views_read.SearchApi.as_view(), name="search")]
