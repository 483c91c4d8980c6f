"""Acceptance 1: a household code votes once, a second use is refused, and nothing stored joins a
ballot back to a household or a code (tested on the schema and on the rows)."""

import io
import threading

import pytest
from django.db import connection
from django.urls import reverse

from jianfu.audit.models import AuditEntry
from jianfu.core.errors import DomainError, PermissionDenied
from jianfu.core.tabular import read_table
from jianfu.evaluation import services
from jianfu.evaluation.models import (
    Ballot,
    BallotScore,
    Comment,
    CommentEvent,
    Direction,
    VoterKind,
    VotingCode,
)
from jianfu.registry.selectors import figures

from .conftest import add_households, create


@pytest.fixture
def resident_campaign(tree, office, frozen):
    add_households(tree["community11"], 6, units=1)
    add_households(tree["community12"], 4)
    campaign = create(office, Direction.COMMUNITY, title="2026年度居民评议社区")
    services.campaign_open(actor=office, campaign=campaign)
    return campaign


def slips_for(campaign, community, actor):
    return services.codes_issue(actor=actor, campaign=campaign, community=community)


def full_ratings(campaign, community, value=4):
    target = campaign.targets.get(org=community)
    return {target.pk: {i.pk: value for i in campaign.indicators.all()}}


def test_one_code_is_issued_per_resident_household_of_the_registry_and_per_unit(
    resident_campaign, tree, community_worker
):
    community = tree["community11"]
    slips = slips_for(resident_campaign, community, community_worker)
    households = [s for s in slips if s.kind == VoterKind.HOUSEHOLD]
    assert len(households) == figures(community)["resident_households"] == 6
    assert [s.kind for s in slips].count(VoterKind.UNIT) == 1
    assert len({s.code for s in slips}) == 7 and all(len(s.code) == 11 for s in slips)  # XXXXX-XXXXX
    stored = VotingCode.objects.filter(campaign=resident_campaign, community=community)
    assert stored.count() == 7
    # Only a keyed hash is kept: neither the code nor its plain SHA-256 is in the table.
    assert not stored.filter(code_hash__in=[s.code for s in slips]).exists()


def test_a_household_code_votes_once_and_a_second_use_is_refused(resident_campaign, tree, community_worker):
    community = tree["community11"]
    code = slips_for(resident_campaign, community, community_worker)[0].code
    assert services.household_vote(code=code, ratings=full_ratings(resident_campaign, community)) == 1
    with pytest.raises(DomainError) as refused:
        services.household_vote(code=code, ratings=full_ratings(resident_campaign, community, 1))
    assert refused.value.code == "code_used" and "已经使用" in refused.value.message
    assert Ballot.objects.filter(target__campaign=resident_campaign).count() == 1
    assert VotingCode.objects.filter(campaign=resident_campaign, used=True).count() == 1
    # Typed in lower case with spaces, it is still the same code, and still refused.
    with pytest.raises(DomainError):
        services.household_vote(code=code.lower().replace("-", " "), ratings=full_ratings(resident_campaign, community))


def test_the_ballots_table_holds_nothing_that_joins_back_to_a_household_or_a_code(
    resident_campaign, tree, community_worker
):
    community = tree["community11"]
    slips = slips_for(resident_campaign, community, community_worker)
    for n, slip in enumerate(slips[:4]):
        services.household_vote(
            code=slip.code,
            ratings=full_ratings(resident_campaign, community, 2 + n % 3),
            comments={resident_campaign.targets.get(org=community).pk: f"意见{n}"},
        )

    # The schema: ballot, score and comment tables have no column naming a code, a household, a
    # person, an address or a time, and no foreign key to the code table or to the registry.
    allowed = {
        Ballot._meta.db_table: {"id", "target_id", "voter_kind", "evaluator_id"},
        BallotScore._meta.db_table: {"id", "ballot_id", "indicator_id", "value"},
        Comment._meta.db_table: {"id", "target_id", "evaluator_id", "text", "state", "moderated_by_id", "moderated_on"},
    }
    with connection.cursor() as cursor:
        for table, columns in allowed.items():
            described = {c.name for c in connection.introspection.get_table_description(cursor, table)}
            assert described == columns, table
            for constraint in connection.introspection.get_constraints(cursor, table).values():
                if constraint["foreign_key"]:
                    assert constraint["foreign_key"][0] in {
                        "evaluation_target",
                        "evaluation_ballot",
                        "evaluation_indicator",
                        "orgs_org",
                        "orgs_user",
                    }, (table, constraint)
        code_columns = {
            c.name for c in connection.introspection.get_table_description(cursor, VotingCode._meta.db_table)
        }
    assert code_columns == {"id", "campaign_id", "community_id", "kind", "code_hash", "used"}

    # The rows: household ballots carry no evaluator, random keys, and no value of a code row.
    ballots = list(Ballot.objects.filter(target__campaign=resident_campaign).values())
    assert len(ballots) == 4
    code_rows = list(VotingCode.objects.filter(campaign=resident_campaign).values("pk", "code_hash"))
    code_values = {str(r["pk"]) for r in code_rows} | {r["code_hash"] for r in code_rows}
    code_values |= {s.code for s in slips} | {services.normalise_code(s.code) for s in slips}
    target = resident_campaign.targets.get(org=community)
    for ballot in ballots:
        # target_id is the rated community (its foreign key points at the target table, checked above).
        assert ballot["target_id"] == target.pk
        assert ballot["evaluator_id"] is None and ballot["voter_kind"] == VoterKind.HOUSEHOLD
        assert str(ballot["id"]) not in code_values and ballot["id"].hex not in code_values
    ids = sorted(str(b["id"]) for b in ballots)
    assert len({i[:8] for i in ids}) == 4  # random UUIDs, not a counter that follows the votes
    # Comments have no evaluator, date or ballot either.
    assert set(Comment.objects.filter(target__campaign=resident_campaign).values_list("evaluator_id", flat=True)) == {
        None
    }
    # The audit trail says that a household of the community voted — not with which code or how.
    votes = AuditEntry.objects.filter(action="codes.vote")
    assert votes.count() == 4
    for entry in votes:
        text = f"{entry.object_id} {entry.before} {entry.after} {entry.reason}"
        assert not any(value in text for value in code_values if len(value) > 3)
        assert not any(str(b["id"]) in text for b in ballots)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises every write, so nothing runs at the same time",
)
def test_two_simultaneous_votes_with_one_code_cast_one_ballot(tree, office, frozen, community_worker):
    add_households(tree["community11"], 2)
    campaign = create(office, Direction.COMMUNITY)
    services.campaign_open(actor=office, campaign=campaign)
    code = slips_for(campaign, tree["community11"], community_worker)[0].code
    ratings = full_ratings(campaign, tree["community11"])
    barrier, outcomes = threading.Barrier(2), []

    def vote():
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            outcomes.append(services.household_vote(code=code, ratings=ratings))
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=vote) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=str) == [1, "code_used"]
    assert Ballot.objects.filter(target__campaign=campaign).count() == 1


def test_codes_cannot_be_issued_again_once_a_household_has_voted(resident_campaign, tree, community_worker):
    community = tree["community11"]
    first = slips_for(resident_campaign, community, community_worker)
    again = slips_for(resident_campaign, community, community_worker)  # lost slips: nobody voted yet
    assert not {s.code for s in first} & {s.code for s in again}
    with pytest.raises(DomainError):
        services.household_vote(code=first[0].code, ratings=full_ratings(resident_campaign, community))
    services.household_vote(code=again[0].code, ratings=full_ratings(resident_campaign, community))
    with pytest.raises(DomainError) as refused:
        slips_for(resident_campaign, community, community_worker)
    assert refused.value.code == "codes_in_use"


def test_only_the_community_its_street_or_the_office_issue_its_codes(resident_campaign, tree, outsider, clerk):
    for actor in (outsider, clerk):
        with pytest.raises(PermissionDenied):
            slips_for(resident_campaign, tree["community11"], actor)


def test_a_code_is_refused_before_opening_and_after_closing(tree, office, frozen, community_worker):
    add_households(tree["community11"], 2)
    campaign = create(office, Direction.COMMUNITY)
    code = slips_for(campaign, tree["community11"], community_worker)[0].code  # printed before opening
    with pytest.raises(DomainError):
        services.household_vote(code=code, ratings=full_ratings(campaign, tree["community11"]))
    services.campaign_open(actor=office, campaign=campaign)
    services.campaign_close(actor=office, campaign=campaign)
    with pytest.raises(DomainError):
        services.household_vote(code=code, ratings=full_ratings(campaign, tree["community11"]))
    assert not Ballot.objects.exists()


def test_a_household_rates_the_workers_it_knows_with_one_code(tree, office, frozen, community_worker):
    from .conftest import person

    add_households(tree["community11"], 3)
    second = person("worker2", "community", tree["community11"])
    campaign = create(office, Direction.WORKER, scale="hundred")
    services.campaign_open(actor=office, campaign=campaign)
    targets = {t.worker: t for t in campaign.targets.filter(org=tree["community11"])}
    assert set(targets) == {community_worker, second}
    code = slips_for(campaign, tree["community11"], community_worker)[0].code
    ratings = {targets[second].pk: {i.pk: 90 for i in campaign.indicators.all()}}
    assert services.household_vote(code=code, ratings=ratings) == 1  # the other worker left out
    with pytest.raises(DomainError):
        services.household_vote(code=code, ratings={targets[community_worker].pk: ratings[targets[second].pk]})
    assert Ballot.objects.filter(target=targets[community_worker]).count() == 0


def test_the_vote_pages_take_a_code_then_the_ratings_without_login(client, resident_campaign, tree, community_worker):
    community = tree["community11"]
    code = slips_for(resident_campaign, community, community_worker)[0].code
    page = client.post(reverse("evaluation:vote"), {"code": code.lower()})
    assert page.status_code == 200 and "街道1社区1" in page.content.decode()
    target = resident_campaign.targets.get(org=community)
    data = {"code": code, f"t{target.pk}-comment": "办事方便"}
    data |= {f"t{target.pk}-i{i.pk}": "5" for i in resident_campaign.indicators.all()}
    done = client.post(reverse("evaluation:vote_submit"), data)
    assert "投票已计入" in done.content.decode()
    assert Ballot.objects.filter(target=target).count() == 1
    again = client.post(reverse("evaluation:vote_submit"), data, follow=True)
    assert "已经使用" in again.content.decode()
    assert Ballot.objects.filter(target=target).count() == 1


def test_an_incomplete_ballot_is_shown_again_and_the_code_stays_unused(
    client, resident_campaign, tree, community_worker
):
    code = slips_for(resident_campaign, tree["community11"], community_worker)[0].code
    target = resident_campaign.targets.get(org=tree["community11"])
    first = resident_campaign.indicators.first()
    page = client.post(reverse("evaluation:vote_submit"), {"code": code, f"t{target.pk}-i{first.pk}": "4"})
    assert page.status_code == 200 and "每一项" in page.content.decode()
    assert not VotingCode.objects.filter(used=True).exists()


def test_guessing_codes_is_stopped_after_twenty_wrong_ones(client, resident_campaign):
    from django.core.cache import cache

    cache.clear()
    for _ in range(20):
        client.post(reverse("evaluation:vote"), {"code": "AAAAA-AAAAA"})
    page = client.post(reverse("evaluation:vote"), {"code": "BBBBB-BBBBB"}, follow=True)
    assert "错误的投票码太多" in page.content.decode()
    cache.clear()


def test_slips_download_as_a_printable_pdf_and_as_a_text_message_list(
    client, resident_campaign, tree, community_worker
):
    client.force_login(community_worker)
    community = tree["community11"]
    url = reverse("evaluation:codes_issue", args=[resident_campaign.pk, community.pk])
    pdf = client.post(url, {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    sheet = client.post(url, {"format": "xlsx"})  # issued again: nobody has voted yet
    table = read_table(io.BytesIO(sheet.content))
    assert len(table.rows) == 7 and {"投票码", "短信内容", "地址（户）"} <= set(table.header)
    row = table.rows[0].values
    assert row["投票码"] in row["短信内容"] and "/evaluation/vote/" in row["短信内容"]
    # The codes in the list are the live ones.
    assert services.household_vote(code=row["投票码"], ratings=full_ratings(resident_campaign, community)) == 1
    page = client.get(reverse("evaluation:codes", args=[resident_campaign.pk]))
    assert page.status_code == 200 and "街道1社区1" in page.content.decode()
    assert "街道2社区1" not in page.content.decode()  # not its community


def test_closing_rewrites_the_household_ballots_with_new_keys_and_the_same_results(
    resident_campaign, tree, office, community_worker
):
    """While open, a ballot shares its transaction with the spent code (row order, PostgreSQL's xmin);
    at close every household ballot, score and comment is written again, in random order."""
    from jianfu.evaluation import scoring

    community = tree["community11"]
    target = resident_campaign.targets.get(org=community)
    for n, slip in enumerate(slips_for(resident_campaign, community, community_worker)[:5]):
        services.household_vote(
            code=slip.code, ratings=full_ratings(resident_campaign, community, 1 + n), comments={target.pk: f"意见{n}"}
        )
    before = {r.target.pk: (r.score, r.ballots, r.voted) for r in scoring.compute(resident_campaign)}
    old_ids = set(Ballot.objects.values_list("pk", flat=True)) | set(Comment.objects.values_list("pk", flat=True))
    services.campaign_close(actor=office, campaign=resident_campaign)
    assert (
        not (set(Ballot.objects.values_list("pk", flat=True)) | set(Comment.objects.values_list("pk", flat=True)))
        & old_ids
    )
    assert {r.target.pk: (r.score, r.ballots, r.voted) for r in scoring.compute(resident_campaign)} == before
    assert sorted(Comment.objects.values_list("text", flat=True)) == [f"意见{n}" for n in range(5)]
    assert BallotScore.objects.count() == 5 * resident_campaign.indicators.count()
    assert AuditEntry.objects.get(action="ballots.reshuffle").after == {"ballots": 5}


def test_a_household_comment_moderated_while_open_keeps_its_history_through_the_rewrite_at_close(
    resident_campaign, tree, office, community_worker
):
    community = tree["community11"]
    target = resident_campaign.targets.get(org=community)
    for n, slip in enumerate(slips_for(resident_campaign, community, community_worker)[:2]):
        services.household_vote(
            code=slip.code, ratings=full_ratings(resident_campaign, community), comments={target.pk: f"意见{n}"}
        )
    services.comment_moderate(actor=office, comment=Comment.objects.get(text="意见0"), approve=False)
    services.campaign_close(actor=office, campaign=resident_campaign)
    rewritten = Comment.objects.get(text="意见0")
    assert [(e.action, e.from_state, e.to_state, e.actor, e.role) for e in rewritten.events.all()] == [
        ("reject", "pending", "rejected", office, "office")
    ]
    assert not Comment.objects.get(text="意见1").events.exists()
    assert CommentEvent.objects.count() == 1


def test_the_codes_page_counts_the_households_the_codes_are_issued_for(resident_campaign, tree, community_worker):
    communities = [tree["community11"], tree["community12"]]
    assert (
        services.household_counts(communities)
        == {c.pk: services.households_of(c).count() for c in communities}
        == {tree["community11"].pk: 6, tree["community12"].pk: 4}
    )
    assert services.household_counts([]) == {}
