from django.urls import path

from apps.media.api import views_write

urlpatterns = [
    path("media", views_write.MediaCreateApi.as_view(), name="media-create"),
    path("media/<id:media_id>/confirm", views_write.MediaConfirmApi.as_view(), name="media-confirm"),
]
