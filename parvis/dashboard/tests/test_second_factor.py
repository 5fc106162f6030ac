"""Staff sign in with a password and, once enrolled, a code from their authenticator app: enrolment needs a valid
code, a code works once, wrong codes lock the account for a while, recovery codes work once, and a site can require
its owners to use a second factor."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from parvis.core.models import Site
from parvis.dashboard import staff_accounts, totp
from parvis.dashboard.models import Membership, Role, SecondFactor, SiteSecurity
from parvis.dashboard.staff_accounts import MAX_FAILURES, SecondFactorError
from parvis.dashboard.tests.conftest import PASSWORD, make_user, signed_in
from parvis.moderation.models import AuditEntry


@pytest.fixture
def owner(django_user_model: Any, site: Site) -> Any:
    user = make_user(django_user_model, "olga")
    Membership.objects.create(user=user, site=site, role=Role.OWNER)
    return user


def current_code(secret: str) -> str:
    return totp.code_at(secret, time.time())


def wrong_code(secret: str) -> str:
    """A well-formed code that no step of the window accepts."""
    now = time.time()
    valid = {totp.code_at(secret, now + offset * totp.PERIOD) for offset in (-1, 0, 1, 2)}
    return next(code for code in ("000000", "111111", "222222", "333333", "444444") if code not in valid)


def enrol(user: Any) -> tuple[str, list[str]]:
    """Enable a factor for ``user`` as if done two minutes ago (so the current step is still unused)."""
    factor = staff_accounts.start_enrolment(user)
    earlier = timezone.now() - timedelta(minutes=2)
    verdict = staff_accounts.confirm_enrolment(user, totp.code_at(factor.secret, earlier.timestamp()), now=earlier)
    assert verdict.accepted
    return factor.secret, verdict.recovery_codes


def password_step(client: Client, username: str, next_page: str = "") -> Any:
    data = {"username": username, "password": PASSWORD}
    if next_page:
        data["next"] = next_page
    return client.post("/moderate/login/", data)


def audit(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


@pytest.mark.django_db
def test_enrolment_shows_the_key_and_enables_only_with_a_valid_code(owner: Any) -> None:
    client = signed_in(owner)
    page = client.get("/moderate/account/").content.decode()
    assert 'data-totp="off"' in page
    assert client.post("/moderate/account/totp/start").status_code == 303
    factor = SecondFactor.objects.get(user=owner)
    page = client.get("/moderate/account/").content.decode()
    grouped = " ".join(factor.secret[i : i + 4] for i in range(0, 32, 4))
    assert grouped in page
    assert f"otpauth://totp/Parvis:olga?secret={factor.secret}&amp;issuer=Parvis" in page
    refused = client.post("/moderate/account/totp/confirm", {"code": wrong_code(factor.secret)})
    assert refused.status_code == 400 and "Wrong code." in refused.content.decode()
    assert staff_accounts.enabled_factor(owner) is None
    done = client.post("/moderate/account/totp/confirm", {"code": current_code(factor.secret)})
    assert done.status_code == 200 and done["Cache-Control"].startswith("max-age=0")
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", done.content.decode())
    assert len(set(codes)) == 10
    assert staff_accounts.enabled_factor(owner) is not None
    # Only hashes are kept, and the key is not shown any more.
    assert not any(code in str(list(factor.recovery_codes.values_list("code_hash", flat=True))) for code in codes)
    page = client.get("/moderate/account/").content.decode()
    assert 'data-totp="enabled"' in page and factor.secret not in page and grouped not in page
    assert "10 recovery codes left." in page
    [entry] = audit("totp.enabled")
    assert (entry.site, entry.actor, entry.details["user"], entry.details["sites"]) == (None, owner, "olga", ["news"])


@pytest.mark.django_db
def test_enrolling_twice_is_refused_while_a_factor_is_enabled(owner: Any) -> None:
    enrol(owner)
    answer = signed_in(owner).post("/moderate/account/totp/start")
    assert answer.status_code == 409 and "already enabled" in answer.content.decode()
    with pytest.raises(SecondFactorError):
        staff_accounts.confirm_enrolment(owner, "123456")


@pytest.mark.django_db
def test_a_password_alone_does_not_sign_in_an_account_with_a_second_factor(owner: Any) -> None:
    enrol(owner)
    client = Client()
    answer = password_step(client, "olga", "/moderate/")
    assert answer.status_code == 302 and answer["Location"] == "/moderate/login/code/"
    queue = client.get("/moderate/")
    assert queue.status_code == 302 and queue["Location"].startswith("/moderate/login/?next=")
    page = client.get("/moderate/login/code/")
    assert page.status_code == 200 and 'name="code"' in page.content.decode()


@pytest.mark.django_db
def test_the_right_code_signs_in_and_leads_to_the_page_asked_for(owner: Any) -> None:
    secret, _ = enrol(owner)
    client = Client()
    password_step(client, "olga", "/moderate/?tab=spam")
    answer = client.post("/moderate/login/code/", {"code": current_code(secret)})
    assert answer.status_code == 302 and answer["Location"] == "/moderate/?tab=spam"
    assert client.get("/moderate/").status_code == 200
    # Without a pending sign-in, the code page sends a signed-in user to the queue.
    assert client.get("/moderate/login/code/")["Location"] == "/moderate/"


@pytest.mark.django_db
def test_an_account_without_a_second_factor_signs_in_with_its_password(owner: Any) -> None:
    client = Client()
    answer = password_step(client, "olga")
    assert answer["Location"] == "/moderate/"
    assert client.get("/moderate/").status_code == 200


@pytest.mark.django_db
def test_the_same_code_cannot_sign_in_twice(owner: Any) -> None:
    secret, _ = enrol(owner)
    code = current_code(secret)
    first, second = Client(), Client()
    password_step(first, "olga")
    password_step(second, "olga")
    assert first.post("/moderate/login/code/", {"code": code}).status_code == 302
    replay = second.post("/moderate/login/code/", {"code": code})
    assert replay.status_code == 400 and "already been used" in replay.content.decode()
    assert second.get("/moderate/").status_code == 302


@pytest.mark.django_db
def test_five_wrong_codes_lock_the_second_step_for_five_minutes(owner: Any) -> None:
    secret, _ = enrol(owner)
    client = Client()
    password_step(client, "olga")
    for attempt in range(1, MAX_FAILURES):
        answer = client.post("/moderate/login/code/", {"code": wrong_code(secret)})
        assert answer.status_code == 400 and "Wrong code." in answer.content.decode(), attempt
    locked = client.post("/moderate/login/code/", {"code": wrong_code(secret)})
    assert locked.status_code == 429
    assert "Too many wrong codes. Try again in 5 minutes." in locked.content.decode()
    # Even the right code, and from a new sign-in, waits for the end of the lockout.
    other = Client()
    password_step(other, "olga")
    assert other.post("/moderate/login/code/", {"code": current_code(secret)}).status_code == 429
    assert other.get("/moderate/").status_code == 302
    [entry] = audit("totp.locked_out")
    assert entry.details["user"] == "olga" and entry.site is None


@pytest.mark.django_db
def test_the_lockout_ends_after_five_minutes(owner: Any) -> None:
    enrol(owner)
    start = timezone.now()
    for _ in range(MAX_FAILURES):
        staff_accounts.verify_login(owner, "not a code", now=start)
    factor = SecondFactor.objects.get(user=owner)
    later = start + timedelta(minutes=4, seconds=59)
    assert staff_accounts.verify_login(owner, totp.code_at(factor.secret, later.timestamp()), now=later).locked
    after = start + timedelta(minutes=5, seconds=1)
    assert staff_accounts.verify_login(owner, totp.code_at(factor.secret, after.timestamp()), now=after).accepted
    # A right code clears the count: four more wrong ones do not lock again.
    for _ in range(MAX_FAILURES - 1):
        assert not staff_accounts.verify_login(owner, "000000x", now=after).locked


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once(owner: Any) -> None:
    _, codes = enrol(owner)
    client = Client()
    password_step(client, "olga")
    assert client.post("/moderate/login/code/", {"code": codes[3].upper()}).status_code == 302
    assert client.get("/moderate/").status_code == 200
    again = Client()
    password_step(again, "olga")
    refused = again.post("/moderate/login/code/", {"code": codes[3]})
    assert refused.status_code == 400 and "Wrong code." in refused.content.decode()
    [entry] = audit("totp.recovery_code_used")
    assert (entry.actor, entry.details["left"]) == (owner, 9)
    assert "9 recovery codes left." in client.get("/moderate/account/").content.decode()


@pytest.mark.django_db
def test_disabling_needs_a_current_code(owner: Any) -> None:
    secret, _ = enrol(owner)
    client = signed_in(owner)
    refused = client.post("/moderate/account/totp/disable", {"code": wrong_code(secret)})
    assert refused.status_code == 400 and staff_accounts.enabled_factor(owner) is not None
    assert client.post("/moderate/account/totp/disable", {}).status_code == 400
    done = client.post("/moderate/account/totp/disable", {"code": current_code(secret)})
    assert done.status_code == 303 and done["Location"] == "/moderate/account/?done=disabled"
    assert not SecondFactor.objects.filter(user=owner).exists()
    assert "Your second factor has been disabled." in client.get(done["Location"]).content.decode()
    [entry] = audit("totp.disabled")
    assert entry.details["before"] == {"enabled": True} and entry.details["after"] == {"enabled": False}
    # Signing in again takes the password only.
    assert password_step(Client(), "olga")["Location"] == "/moderate/"


@pytest.mark.django_db
def test_a_site_requiring_a_second_factor_sends_its_owner_to_enrolment_first(
    owner: Any, moderator: Any, site: Site
) -> None:
    staff_accounts.set_required_for_owners(site, True, actor=owner)
    client = signed_in(owner)
    for path in ("/moderate/", "/moderate/?tab=spam", "/moderate/account/password/"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer["Location"] == "/moderate/account/", path
    page = client.get("/moderate/account/").content.decode()
    assert "requires its owners to use a second factor" in page
    # A moderator of the same site is not an owner: the rule does not apply to them.
    assert signed_in(moderator).get("/moderate/").status_code == 200
    client.post("/moderate/account/totp/start")
    secret = SecondFactor.objects.get(user=owner).secret
    assert client.post("/moderate/account/totp/confirm", {"code": current_code(secret)}).status_code == 200
    assert client.get("/moderate/").status_code == 200
    [entry] = audit("site.require_totp_for_owners")
    assert (entry.site, entry.actor, entry.details) == (site, owner, {"before": False, "after": True})


@pytest.mark.django_db
def test_a_superuser_counts_as_an_owner_of_a_site_requiring_a_second_factor(superuser: Any, site: Site) -> None:
    SiteSecurity.objects.create(site=site, require_totp_for_owners=True)
    assert signed_in(superuser).get("/moderate/")["Location"] == "/moderate/account/"


@pytest.mark.django_db
def test_only_an_owner_sets_the_rule_for_their_site(
    owner: Any, moderator: Any, journalist: Any, other_moderator: Any, site: Site
) -> None:
    url = f"/moderate/sites/{site.slug}/security"
    on = {"require_totp_for_owners": "on"}
    anonymous = Client().post(url, on)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/moderate/login/")
    assert signed_in(other_moderator).post(url, on).status_code == 404
    assert signed_in(journalist).post(url, on).status_code == 403
    assert signed_in(moderator).post(url, on).status_code == 403
    assert not SiteSecurity.objects.filter(require_totp_for_owners=True).exists()
    client = signed_in(owner)
    assert client.post(url, {"require_totp_for_owners": "maybe"}).status_code == 400
    assert client.post(url, on).status_code == 303
    assert staff_accounts.required_for_owners(site)
    # Only owners see the switch on their account page.
    assert url in client.get("/moderate/account/", follow=True).content.decode()
    assert url not in signed_in(moderator).get("/moderate/account/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["owner", "moderator", "journalist", "other_moderator"])
def test_every_staff_member_reaches_their_own_account_page(persona: str, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(persona)
    page = signed_in(user).get("/moderate/account/")
    assert page.status_code == 200 and 'data-totp="off"' in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/moderate/account/"),
        ("post", "/moderate/account/totp/start"),
        ("post", "/moderate/account/totp/confirm"),
        ("post", "/moderate/account/totp/disable"),
        ("get", "/moderate/account/password/"),
    ],
)
def test_account_pages_need_a_signed_in_staff_member(
    method: str, path: str, django_user_model: Any, site: Site
) -> None:
    answer = getattr(Client(), method)(path)
    assert answer.status_code == 302 and answer["Location"].startswith("/moderate/login/?next=")
    nobody = make_user(django_user_model, "nobody")
    assert getattr(signed_in(nobody), method)(path).status_code == 403
    assert not SecondFactor.objects.exists()


@pytest.mark.django_db
def test_another_users_secret_is_never_shown(owner: Any, moderator: Any, admin_client: Client) -> None:
    staff_accounts.start_enrolment(owner)
    staff_accounts.start_enrolment(moderator)
    mine, theirs = SecondFactor.objects.get(user=moderator).secret, SecondFactor.objects.get(user=owner).secret
    page = signed_in(moderator).get("/moderate/account/").content.decode().replace(" ", "")
    assert mine in page and theirs not in page
    # The admin shows factors without their secrets.
    listing = admin_client.get(f"/admin/dashboard/secondfactor/{SecondFactor.objects.get(user=owner).pk}/change/")
    assert listing.status_code == 200 and "olga" in listing.content.decode()
    assert theirs not in listing.content.decode().replace(" ", "")


@pytest.mark.django_db
def test_every_post_needs_the_csrf_token(owner: Any, site: Site) -> None:
    secret, _ = enrol(owner)
    client = signed_in(owner, enforce_csrf_checks=True)
    for path, data in [
        ("/moderate/account/totp/start", {}),
        ("/moderate/account/totp/disable", {"code": current_code(secret)}),
        (f"/moderate/sites/{site.slug}/security", {"require_totp_for_owners": "on"}),
        (
            "/moderate/account/password/",
            {"old_password": PASSWORD, "new_password1": "x" * 20, "new_password2": "x" * 20},
        ),
    ]:
        assert client.post(path, data).status_code == 403, path
    assert staff_accounts.enabled_factor(owner) is not None and not SiteSecurity.objects.exists()
    assert staff_accounts.disable(owner, current_code(secret)).accepted
    staff_accounts.start_enrolment(owner)
    pending = SecondFactor.objects.get(user=owner).secret
    assert client.post("/moderate/account/totp/confirm", {"code": current_code(pending)}).status_code == 403
    assert staff_accounts.enabled_factor(owner) is None
    secret, _ = enrol(owner)
    anonymous = Client(enforce_csrf_checks=True)
    login_page = anonymous.get("/moderate/login/")
    assert login_page.status_code == 200
    token = anonymous.cookies["csrftoken"].value
    data = {"username": "olga", "password": PASSWORD, "csrfmiddlewaretoken": token}
    assert anonymous.post("/moderate/login/", data)["Location"] == "/moderate/login/code/"
    assert anonymous.post("/moderate/login/code/", {"code": current_code(secret)}).status_code == 403
    accepted = anonymous.post("/moderate/login/code/", {"code": current_code(secret), "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302 and accepted["Location"] == "/moderate/"


@pytest.mark.django_db
def test_a_forged_or_voided_pending_sign_in_leads_back_to_the_password(owner: Any, django_user_model: Any) -> None:
    secret, _ = enrol(owner)
    client = Client()
    password_step(client, "olga")
    session = client.session
    session["dashboard_pending_login"] = session["dashboard_pending_login"][:-2] + "xx"
    session.save()
    answer = client.post("/moderate/login/code/", {"code": current_code(secret)})
    assert answer.status_code == 302 and answer["Location"] == "/moderate/login/?expired=1"
    assert "sign-in has expired" in client.get(answer["Location"]).content.decode()
    # A password changed between the two steps voids the pending sign-in.
    password_step(client, "olga")
    owner.set_password("a new and different password")
    owner.save()
    assert client.post("/moderate/login/code/", {"code": current_code(secret)})["Location"].endswith("?expired=1")
    assert client.get("/moderate/").status_code == 302
    assert Client().get("/moderate/login/code/")["Location"] == "/moderate/login/?expired=1"
    # So does a factor reset by an administrator in between.
    fresh = Client()
    fresh.post("/moderate/login/", {"username": "olga", "password": "a new and different password"})
    staff_accounts.reset(owner, actor=owner)
    assert fresh.post("/moderate/login/code/", {"code": current_code(secret)})["Location"].endswith("?expired=1")


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["", "x" * 5000, "<script>alert(1)</script>", "１２３４５６"])
def test_a_malformed_code_is_a_clear_400(owner: Any, typed: str) -> None:
    enrol(owner)
    client = Client()
    password_step(client, "olga")
    answer = client.post("/moderate/login/code/", {"code": typed})
    assert answer.status_code == 400 and "Wrong code." in answer.content.decode()
    assert "<script>alert" not in answer.content.decode()


@pytest.mark.django_db
def test_a_staff_member_changes_their_password_and_stays_signed_in(moderator: Any) -> None:
    client = signed_in(moderator)
    page = client.get("/moderate/account/password/")
    assert page.status_code == 200 and 'name="old_password"' in page.content.decode()
    new = "a brand new long passphrase"
    wrong = client.post(
        "/moderate/account/password/", {"old_password": "nope", "new_password1": new, "new_password2": new}
    )
    assert wrong.status_code == 200 and "incorrectly" in wrong.content.decode()
    done = client.post(
        "/moderate/account/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert done.status_code == 303 and done["Location"] == "/moderate/account/?done=password"
    assert "Your password has been changed." in client.get(done["Location"]).content.decode()
    assert client.get("/moderate/").status_code == 200
    moderator.refresh_from_db()
    assert moderator.check_password(new)
    [entry] = audit("account.password_changed")
    assert (entry.site, entry.actor) == (None, moderator)


@pytest.mark.django_db
def test_an_administrator_resets_a_lost_second_factor_in_the_admin(owner: Any, admin_client: Client) -> None:
    enrol(owner)
    factor = SecondFactor.objects.get(user=owner)
    answer = admin_client.post(f"/admin/dashboard/secondfactor/{factor.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    assert not SecondFactor.objects.filter(user=owner).exists()
    [entry] = audit("totp.reset")
    assert entry.details["user"] == "olga" and entry.actor_label == "admin"


@pytest.mark.django_db
def test_the_admin_signs_in_through_the_dashboard_so_the_code_is_asked_there_too(superuser: Any) -> None:
    secret, _ = enrol(superuser)
    client = Client()
    to_admin_login = client.get("/admin/")
    assert to_admin_login["Location"] == "/admin/login/?next=/admin/"
    assert client.get(to_admin_login["Location"])["Location"] == "/moderate/login/?next=/admin/"
    # The admin's own form is gone: posting the password there signs nobody in.
    client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert client.get("/admin/").status_code == 302
    password_step(client, "root", "/admin/")
    assert client.get("/admin/").status_code == 302
    assert client.post("/moderate/login/code/", {"code": current_code(secret)})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
