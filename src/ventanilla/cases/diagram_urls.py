app_name = "diagram"
urlpatterns: list = []
