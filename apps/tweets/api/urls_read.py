from django.urls import path

from apps.tweets.api import views_read

urlpatterns = [
    path("tweets/<id:tweet_id>", views_read.TweetDetailApi.as_view(), name="tweets-detail"),
    path("tweets/<id:tweet_id>/replies", views_read.TweetRepliesApi.as_view(), name="tweets-replies"),
    path("tweets/<id:tweet_id>/context", views_read.TweetContextApi.as_view(), name="tweets-context"),
    path("tweets/<id:tweet_id>/liked_by", views_read.TweetLikedByApi.as_view(), name="tweets-liked-by"),
    path("users/<id:user_id>/likes", views_read.UserLikesApi.as_view(), name="users-likes"),
    path("hashtags/trending", views_read.TrendingHashtagsApi.as_view(), name="hashtags-trending"),
    path("hashtags/<str:tag>/tweets", views_read.HashtagTweetsApi.as_view(), name="hashtags-tweets"),
]
