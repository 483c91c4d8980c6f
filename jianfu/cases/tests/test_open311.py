"""Open311 GeoReport v2, driven by an existing client library from PyPI (georeport 0.3.1) against the
live server, every answer validated against the specification's field list.

georeport lists services, reads service definitions and reads requests back, but does not create
requests, so the POST goes through `requests` (georeport's own HTTP library) exactly as the
specification describes it: form-encoded, with api_key."""

import pytest
import requests
from django.urls import reverse
from georeport import GeoReport
from jsonschema import Draft202012Validator, FormatChecker

from jianfu.orgs.services import token_issue

from .. import services
from ..models import Case, State

pytestmark = pytest.mark.django_db
LIVE = pytest.mark.django_db(transaction=True)  # the live server answers from another thread

STRING, NULLABLE_STRING = {"type": "string"}, {"type": ["string", "null"]}
DATETIME = {"type": "string", "format": "date-time"}
# GeoReport v2 (http://wiki.open311.org/GeoReport_v2): the fields, exactly, and their types.
SERVICE = {
    "type": "object",
    "required": ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"],
    "additionalProperties": False,
    "properties": {
        "service_code": STRING,
        "service_name": STRING,
        "description": STRING,
        "metadata": {"type": "boolean"},
        "type": {"enum": ["realtime", "batch", "blackbox"]},
        "keywords": STRING,
        "group": STRING,
    },
}
SERVICE_DEFINITION = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "additionalProperties": False,
    "properties": {
        "service_code": STRING,
        "attributes": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": [
                    "variable",
                    "code",
                    "datatype",
                    "required",
                    "datatype_description",
                    "order",
                    "description",
                ],
                "additionalProperties": False,
                "properties": {
                    "variable": {"type": "boolean"},
                    "code": STRING,
                    "datatype": {"enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]},
                    "required": {"type": "boolean"},
                    "datatype_description": STRING,
                    "order": {"type": "integer"},
                    "description": STRING,
                    "values": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["key", "name"],
                            "additionalProperties": False,
                            "properties": {"key": STRING, "name": STRING},
                        },
                    },
                },
            },
        },
    },
}
REQUEST = {
    "type": "object",
    "required": ["service_request_id", "status", "service_code", "requested_datetime"],
    "additionalProperties": False,
    "properties": {
        "service_request_id": STRING,
        "status": {"enum": ["open", "closed"]},
        "status_notes": STRING,
        "service_name": STRING,
        "service_code": STRING,
        "description": STRING,
        "agency_responsible": STRING,
        "service_notice": STRING,
        "requested_datetime": DATETIME,
        "updated_datetime": DATETIME,
        "expected_datetime": {"type": ["string", "null"], "format": "date-time"},
        "address": STRING,
        "address_id": STRING,
        "zipcode": STRING,
        "lat": {"type": ["number", "null"]},
        "long": {"type": ["number", "null"]},
        "media_url": STRING,
    },
}
CREATED = {
    "type": "array",
    "minItems": 1,
    "maxItems": 1,
    "items": {
        "type": "object",
        "required": ["service_request_id"],
        "additionalProperties": False,
        "properties": {"service_request_id": STRING, "token": STRING, "service_notice": STRING, "account_id": STRING},
    },
}
ERRORS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "additionalProperties": False,
        "properties": {"code": {"type": "integer"}, "description": STRING},
    },
}
DISCOVERY = {
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "changeset": DATETIME,
        "contact": STRING,
        "key_service": STRING,
        "endpoints": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["specification", "url", "changeset", "type", "formats"],
                "properties": {
                    "specification": {"const": "http://wiki.open311.org/GeoReport_v2"},
                    "url": STRING,
                    "type": {"enum": ["production", "test"]},
                    "formats": {"type": "array", "items": STRING},
                },
            },
        },
    },
}


def valid(schema, data):
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(data)
    return data


@pytest.fixture
def endpoint(live_server, matters):
    return f"{live_server.url}/open311/v2"


@pytest.fixture
def api_key(grid_worker):
    return token_issue(actor=None, user=grid_worker, name="open311 test")


@LIVE
def test_an_open311_client_lists_services_creates_a_request_and_reads_it_back(endpoint, api_key, tree, matters):
    client = GeoReport(endpoint, jurisdiction="D")

    services_list = client.get_service_list()
    for service in services_list:
        valid(SERVICE, service)
    codes = {s["service_code"] for s in services_list}
    assert {"A01", "A02", "G01"} <= codes
    assert "G02" not in codes  # key persons are never published
    assert {s["group"] for s in services_list} == {"城市管理类", "网格事项"}

    definition = valid(SERVICE_DEFINITION, client.get_service_definition("A02"))
    assert {v["key"] for v in definition["attributes"][0]["values"]} == {
        "consult",
        "help",
        "complaint",
        "report",
        "suggestion",
    }

    # georeport does not create requests: POST as the specification says, form-encoded with api_key.
    response = requests.post(
        f"{endpoint}/requests.json",
        data={
            "api_key": api_key,
            "jurisdiction_id": "D",
            "service_code": "A02",
            "lat": "30.171234",
            "long": "121.265432",
            "address_string": "幸福路12号",
            "description": "路灯不亮，联系人13805741234",
            "attribute[request_type]": "complaint",
            "email": "someone@example.org",
            "first_name": "张",
        },
        timeout=10,
    )
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
    [created] = valid(CREATED, response.json())
    number = created["service_request_id"]
    case = Case.objects.get(number=number)
    assert case.channel == "open311" and case.org_unit == tree["grid111"] and case.request_type == "complaint"
    assert str(case.lat) == "30.171234" and case.reporter.username == "grid"

    read = valid(REQUEST, client.get_service_request(number))
    assert read["service_code"] == "A02" and read["status"] == "open" and read["address"] == "幸福路12号"
    assert read["lat"] == pytest.approx(30.171234) and read["long"] == pytest.approx(121.265432)
    assert "13805741234" not in read["description"] and "138****1234" in read["description"]
    listed = client.get_service_requests(service_code="A02", status="open")
    assert [valid(REQUEST, r)["service_request_id"] for r in listed] == [number]
    assert client.get_service_requests(status="closed") == []


@LIVE
def test_xml_works_for_the_same_client(endpoint, grid_worker, tree, matters):
    case = services.case_report(
        actor=grid_worker, org_unit=tree["grid111"], matter=matters["rubbish"], description="垃圾堆放"
    )
    client = GeoReport(endpoint, jurisdiction="D", output_format="xml")
    names = {s["service_name"] for s in client.get_service_list()}
    assert "垃圾堆放" in names
    read = client.get_service_request(case.number)
    assert read["service_request_id"] == case.number and read["status"] == "open"


@LIVE
def test_status_follows_the_case(endpoint, grid_worker, community_worker, city, city_clerk, tree, matters):
    case = services.case_report(actor=grid_worker, org_unit=tree["grid111"], matter=matters["lamp"], description="x")
    services.whistle_blow(actor=community_worker, case=case, assignee=city)
    read = GeoReport(endpoint, jurisdiction="D").get_service_request(case.number)
    assert read["agency_responsible"] == "城管局" and read["expected_datetime"] and "报到" in read["service_notice"]
    services.case_respond(actor=city_clerk, case=case)
    services.case_resolve(actor=city_clerk, case=case, note="修好了")
    read = valid(REQUEST, GeoReport(endpoint, jurisdiction="D").get_service_request(case.number))
    assert read["status"] == "closed" and read["status_notes"] == str(State.RESOLVED.label)


@pytest.mark.parametrize(
    "data, status",
    [
        ({"service_code": "A02", "address_string": "幸福路"}, 403),  # no api_key
        ({"api_key": "wrong", "service_code": "A02", "address_string": "幸福路"}, 403),
        ({"api_key": "KEY", "address_string": "幸福路"}, 400),  # no service_code
        ({"api_key": "KEY", "service_code": "NOPE", "address_string": "幸福路"}, 404),
        ({"api_key": "KEY", "service_code": "A02"}, 400),  # no location at all
        ({"api_key": "KEY", "service_code": "G02", "address_string": "幸福路"}, 404),  # not public
        ({"api_key": "KEY", "service_code": "A02", "address_string": "x", "attribute[request_type]": "bad"}, 400),
    ],
)
def test_errors_follow_the_specification(client, tree, matters, api_key, data, status):
    data = {k: (api_key if v == "KEY" else v) for k, v in data.items()}
    response = client.post("/open311/v2/requests.json", data)
    assert response.status_code == status
    [error] = valid(ERRORS, response.json())
    assert error["code"] == status and error["description"]
    assert not Case.objects.exists()


def test_read_errors_and_discovery(client, tree, matters):
    assert client.get("/open311/v2/requests/SJ0000-0000.json").status_code == 404
    valid(ERRORS, client.get("/open311/v2/services/NOPE.json").json())
    assert client.get("/open311/v2/services.json", {"jurisdiction_id": "XX"}).status_code == 404
    too_long = client.get(
        "/open311/v2/requests.json", {"start_date": "2025-01-01T00:00:00Z", "end_date": "2025-06-01T00:00:00Z"}
    )
    assert too_long.status_code == 400 and valid(ERRORS, too_long.json())
    discovery = valid(DISCOVERY, client.get(reverse("open311:discovery", args=["json"])).json())
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2")
    xml = client.get("/open311/v2/discovery.xml")
    assert xml["Content-Type"].startswith("text/xml") and b"<discovery>" in xml.content


def test_a_resident_posts_in_their_own_community_only(client, tree, matters, resident, outsider):
    key = token_issue(actor=None, user=resident)
    ok = client.post("/open311/v2/requests.json", {"api_key": key, "service_code": "A02", "address_string": "幸福路"})
    assert ok.status_code == 200
    assert Case.objects.get().org_unit == tree["community11"] and Case.objects.get().channel == "open311"
    clerk_key = token_issue(actor=None, user=outsider)
    from jianfu.registry.models import Address

    elsewhere = Address.objects.create(
        grid=tree["grid111"],
        community=tree["community11"],
        org_path=tree["grid111"].path,
        area="幸福小区",
        building="1",
        key="k",
        label="幸福小区1幢",
    )
    refused = client.post(
        "/open311/v2/requests.json",
        {"api_key": clerk_key, "service_code": "A02", "address_id": str(elsewhere.pk)},
    )
    assert refused.status_code == 403 and valid(ERRORS, refused.json())
