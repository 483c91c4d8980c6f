from jianfu.orgs.permissions import memberships


def navigation(request):
    return {"my_memberships": memberships(request.user)}
