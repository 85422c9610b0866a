from django.urls import path

from apps.tweets.api import views_read

urlpatterns = [
    path("tweets/<id:tweet_id>", views_read.TweetDetailApi.as_view(), name="tweets-detail"),
    path("tweets/<id:tweet_id>/replies", views_read.TweetRepliesApi.as_view(), name="tweets-replies"),
]
