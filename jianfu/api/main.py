from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import NinjaAPI

from jianfu.access.api import router as access_router
from jianfu.cases.api import router as cases_router
from jianfu.catalog.api import router as catalog_router
from jianfu.certificates.api import router as certificates_router
from jianfu.core.errors import DomainError
from jianfu.evaluation.api import router as evaluation_router
from jianfu.ledger.api import router as ledger_router
from jianfu.orgs.api import router as orgs_router

# docs_url=None: the interactive docs page would load Swagger UI from a CDN.
api = NinjaAPI(title="jianfu API", version="1", urls_namespace="api", openapi_url="/schema/", docs_url=None)
api.add_router("/v1/orgs/", orgs_router)
api.add_router("/v1/", catalog_router)
api.add_router("/v1/applications/", access_router)
api.add_router("/v1/ledger/", ledger_router)
api.add_router("/v1/certificates/", certificates_router)
api.add_router("/v1/cases/", cases_router)
api.add_router("/v1/evaluation/", evaluation_router)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, {"code": exc.code, "message": exc.message}, status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    return api.create_response(request, {"code": "invalid", "message": "；".join(exc.messages)}, status=400)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "message": "未找到"}, status=404)
