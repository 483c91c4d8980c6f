from django.core.management import call_command


def test_without_a_token_the_api_answers_401(client, tree):
    assert client.get("/api/v1/orgs/").status_code == 401
    assert client.get("/api/v1/orgs/", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_a_token_from_issue_token_sees_only_what_its_user_reaches(client, street_worker, capsys):
    call_command("issue_token", "street")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    response = client.get("/api/v1/orgs/", {"kind": "community"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert sorted(o["code"] for o in response.json()) == ["S1C1", "S1C2"]
    assert client.get("/api/v1/orgs/S2C1/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404
    one = client.get("/api/v1/orgs/S1C1/", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert one["parent_code"] == "S1" and one["registered_households"] == 1100


def test_tokens_are_stored_only_as_hashes(street_worker, capsys):
    from jianfu.orgs.models import ApiToken

    call_command("issue_token", "street")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    stored = ApiToken.objects.get()
    assert token not in stored.key_hash and stored.key_hash == ApiToken.hash_key(token)


def test_the_openapi_schema_is_served(client, db):
    schema = client.get("/api/schema/").json()
    assert schema["openapi"].startswith("3.") and "/api/v1/orgs/" in schema["paths"]
