from django.urls import path

from ventanilla.notifications import views

app_name = "notifications"
urlpatterns = [
    path("mis-avisos/", views.inbox, name="inbox"),
    path("mis-avisos/<int:pk>/", views.message, name="message"),
    path("mis-avisos/marcar-leidos/", views.mark_all_read, name="mark_all_read"),
]
