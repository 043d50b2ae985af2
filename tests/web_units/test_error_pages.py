"""Web errors are pages in the person's language, never the API's JSON (issue 11, part 7).

Before, a page that did not exist, or a request the service refused outside a page's own handling,
answered the browser with the API's JSON body.
"""

from __future__ import annotations

from flask import Flask

from tests.web_units.browser_session import csrf, web_login


def test_a_missing_page_is_a_page_in_chinese_then_in_english(app: Flask) -> None:
    bureau = web_login(app, "bureau")
    response = bureau.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "请求的资源不存在" in page and "返回首页" in page and '"code"' not in page
    bureau.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf(bureau, "/")})
    english = bureau.get("/no-such-page").get_data(as_text=True)
    assert "The requested resource does not exist" in english and "请求的资源不存在" not in english


def test_a_wrong_method_on_a_page_is_a_page(app: Flask) -> None:
    response = web_login(app, "bureau").delete("/")
    assert response.status_code == 405 and response.mimetype == "text/html"


def test_the_api_still_answers_json(app: Flask) -> None:
    response = app.test_client().get("/api/v1/no-such-endpoint")
    assert response.status_code == 404 and response.get_json()["message_en"]
