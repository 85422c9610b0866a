from django.urls import path

from apps.tweets.api import views_engagement, views_write

urlpatterns = [
    path("tweets", views_write.TweetCreateApi.as_view(), name="tweets-create"),
    path("tweets/<id:tweet_id>", views_write.TweetDeleteApi.as_view(), name="tweets-delete"),
    path("tweets/<id:tweet_id>/like", views_engagement.TweetLikeApi.as_view(), name="tweets-like"),
    path("tweets/<id:tweet_id>/retweet", views_engagement.TweetRetweetApi.as_view(), name="tweets-retweet"),
]
