"""The win/loss API: the same answers as the command line, with the same permissions as the pages."""

import json

import pytest


@pytest.fixture
def api(client):
    from kundennetz.core.models import ApiToken

    tokens = {}

    def call(user, method, path, data=None, raw=None):
        extra = {}
        if user is not None:
            tokens.setdefault(user.pk, ApiToken.issue(user, "tests")[1])
            extra["HTTP_AUTHORIZATION"] = f"Bearer {tokens[user.pk]}"
        if method == "GET":
            return client.get(path, data=data, **extra)
        body = raw if raw is not None else json.dumps(data)
        return client.post(path, body, content_type="application/json", **extra)

    return call


def test_fit_refused_below_thirty(make_history, cast, api):
    make_history(10)
    response = api(cast.admin, "POST", "/api/winloss/fit")
    assert response.status_code == 409 and "30" in response.json()["detail"]
    from kundennetz.core.models import Job

    assert not Job.objects.exists()  # refused at once, nothing queued


def test_fit_model_predict(history, cast, api):
    for user in (cast.owner, cast.marketing, cast.read_only, None):
        assert api(user, "POST", "/api/winloss/fit").status_code == (401 if user is None else 403)
    assert api(cast.sales_head, "POST", "/api/winloss/predict", {"answers": {}}).status_code == 409
    response = api(cast.sales_head, "POST", "/api/winloss/fit")
    assert response.status_code == 202 and response.json()["kind"] == "win_model"
    job = api(cast.sales_head, "GET", f"/api/jobs/{response.json()['id']}").json()
    assert job["status"] == "done" and job["result"] == "/api/winloss/model"
    assert "fitted on 60 closed deals" in job["message"]
    fitted = api(cast.sales_head, "GET", job["result"]).json()
    assert fitted["deals"] == 60 and fitted["model_version"] == 1
    model = api(cast.read_only, "GET", "/api/winloss/model").json()
    assert model["model_version"] == 1 and len(model["reliability"]) == 10
    assert "competition=unfavourable" in model["coefficients"]
    assert api(cast.owner, "GET", "/api/winloss/model").status_code == 403
    # Predict: the same figures as the command line.
    result = api(cast.owner, "POST", "/api/winloss/predict", {"answers": {"solution": "no", "competition": "yes"}})
    assert result.status_code == 200
    body = result.json()
    assert list(body) == ["win_probability", "contributions", "model_version"]
    assert 0 < body["win_probability"] < 1 and body["contributions"]["solution"] < 0
    for bad in ({"answers": {"solution": "maybe"}}, {"nope": 1}, [1, 2], {"answers": {"x": "yes"}}):
        response = api(cast.owner, "POST", "/api/winloss/predict", bad)
        assert response.status_code == 422, bad
        assert response.json()["detail"][0]["loc"] == ["body"]
    assert api(cast.owner, "POST", "/api/winloss/predict", raw="{").status_code == 400


def test_opportunity_win_and_similar_deals(history, network, cast, api):
    from kundennetz.qualification import services as qualification
    from kundennetz.winloss import services

    services.fit_and_store_win_model()
    checklist = qualification.get_checklist(network.opportunity, cast.owner)
    for key in ("solution", "competition", "money"):
        qualification.set_answer(checklist, key, "yes", cast.owner)
    path = f"/api/opportunities/{network.opportunity.pk}/win"
    body = api(cast.owner, "GET", path).json()
    assert 0 < body["win_probability"] < 1 and body["model_version"] == 1
    assert body["contributions"]["competition"] < 0 and body["expected_value"] is not None
    for item in body["similar_won"] + body["similar_lost"]:
        assert item["differences"] <= 2
    assert api(cast.outsider, "GET", path).status_code == 404
    assert api(cast.read_only, "GET", path).status_code == 200


def test_thresholds_and_no_bid(history, cast, api):
    body = api(cast.marketing, "GET", "/api/winloss/thresholds").json()
    assert body["threshold_in_force"] == 3 and len(body["thresholds"]) == 9 and body["deals"] == 60
    assert api(cast.owner, "GET", "/api/winloss/thresholds").status_code == 403
    review = api(cast.sales_head, "GET", "/api/winloss/no-bid").json()
    assert len(review) == 4 and all(item["outcome"] == "unknown" for item in review)
    assert api(cast.owner, "GET", "/api/winloss/no-bid").status_code == 403
