from django.urls import path

from ventanilla.representation import views

app_name = "representation"
urlpatterns = [
    path("cuenta/representados/", views.people_i_represent, name="list"),
    path("cuenta/representados/<int:pk>/actuar/", views.act_for, name="act_for"),
    path("cuenta/representados/dejar-de-actuar/", views.stop_acting, name="stop_acting"),
    path("cuenta/representados/<int:pk>/terminar/", views.end, name="end"),
    path("oficina/representaciones/", views.counter_search, name="counter_search"),
    path("oficina/representaciones/<int:pk>/", views.counter_decide, name="counter_decide"),
]
