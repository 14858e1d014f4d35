from main import app


def test_app_has_users_route():
    assert any(route.path == "/users" for route in app.routes)
