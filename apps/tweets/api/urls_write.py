from django.urls import path

from apps.tweets.api import views_write

urlpatterns = [
    path("tweets", views_write.TweetCreateApi.as_view(), name="tweets-create"),
    path("tweets/<id:tweet_id>", views_write.TweetDeleteApi.as_view(), name="tweets-delete"),
]
