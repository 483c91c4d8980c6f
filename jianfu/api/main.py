from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestInvalid

from jianfu.access.api import router as access_router
from jianfu.cases.api import router as cases_router
from jianfu.catalog.api import router as catalog_router
from jianfu.catalog.plaque_api import router as plaque_router
from jianfu.certificates.api import router as certificates_router
from jianfu.core.errors import DomainError
from jianfu.evaluation.api import router as evaluation_router
from jianfu.ledger.api import router as ledger_router
from jianfu.orders.api import router as orders_router
from jianfu.orgs.api import router as orgs_router

ERROR_RESPONSE = {
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            }
        }
    }
}


class JianfuAPI(NinjaAPI):
    """The schema also declares the errors the handlers below answer for every operation, which no
    operation produces itself: 400 for parameters or a body that do not fit, 401 where credentials
    are needed and none are valid."""

    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation["responses"]
                responses.setdefault(400, {"description": "Bad Request", **ERROR_RESPONSE})
                if operation.get("security"):
                    responses.setdefault(401, {"description": "Unauthorized", **ERROR_RESPONSE})
        return schema


# docs_url=None: the interactive docs page would load Swagger UI from a CDN.
api = JianfuAPI(title="jianfu API", version="1", urls_namespace="api", openapi_url="/schema/", docs_url=None)
api.add_router("/v1/orgs/", orgs_router)
api.add_router("/v1/", catalog_router)
api.add_router("/v1/applications/", access_router)
api.add_router("/v1/ledger/", ledger_router)
api.add_router("/v1/certificates/", certificates_router)
api.add_router("/v1/cases/", cases_router)
api.add_router("/v1/evaluation/", evaluation_router)
api.add_router("/v1/orders/", orders_router)
api.add_router("/v1/plaques/", plaque_router)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, {"code": exc.code, "message": exc.message}, status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    return api.create_response(request, {"code": "invalid", "message": "；".join(exc.messages)}, status=400)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "message": "未找到"}, status=404)


# What a malformed value should have been, by pydantic's error type.
EXPECTED = {
    "missing": "必填",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "finite_number": "应为有限的数字",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_type": "应为日期（YYYY-MM-DD）",
    "string_type": "应为文本",
    "list_type": "应为列表",
    "dict_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
}


@api.exception_handler(RequestInvalid)
def request_invalid(request, exc: RequestInvalid):
    """ninja's 422 with pydantic's English as a 400 naming each field in Chinese, as the style asks."""
    problems = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        # ("query", "year"), ("path", "pk") or ("body", "payload", "name")
        field = ".".join(loc[2:] if loc[:1] == ["body"] else loc[1:]) or "请求体"
        problems.append(f"{field} {EXPECTED.get(error.get('type', ''), '格式不正确')}")
    message = "请求无效：" + "；".join(problems)
    return api.create_response(request, {"code": "invalid_request", "message": message}, status=400)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    """ninja's own refusals (no credentials, a failed CSRF check, a body that is not JSON) in the
    same shape as every other error."""
    if isinstance(exc, AuthenticationError):
        body = {"code": "unauthorized", "message": "请先登录，或在 Authorization 头中提供有效的 API 令牌（Bearer）"}
    elif exc.status_code == 403 and "CSRF" in str(exc):
        body = {"code": "csrf_failed", "message": "CSRF 校验失败：浏览器会话发出的请求须带 CSRF 令牌"}
    elif exc.status_code == 400:
        body = {"code": "invalid_request", "message": "请求体不是有效的 JSON"}
    else:
        body = {"code": f"http_{exc.status_code}", "message": str(exc)}
    return api.create_response(request, body, status=exc.status_code)
