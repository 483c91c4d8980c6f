from django.urls import path

from . import views

app_name = "orders"
urlpatterns = [
    path("", views.orders, name="list"),
    path("new/", views.order_new, name="new"),
    path("<str:number>/", views.order_detail, name="detail"),
    path("<str:number>/<str:code>/receipt/", views.receipt, name="receipt"),
    path("<str:number>/<str:code>/<str:action>/", views.delivery_action, name="action"),
]
