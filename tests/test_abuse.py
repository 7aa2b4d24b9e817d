"""Abuse priced out: the pledge limit per real client address (API and donate form together), counted
atomically and only for requests that reached validation, falling back when the cache is down; the
donate formset cannot be inflated; the admin login locks an address and a username together."""

import json
import logging
import threading
import types

import pytest
import redis
from axes.utils import reset
from django.core.cache import cache
from django.core.management import call_command

from donations.models import Pledge
from ledger.forms import GoodsLineForm
from relief_portal import throttling
from relief_portal.throttling import PledgeCreateThrottle, RateLimit
from tests.allocations.helpers import PASSWORDS
from tests.donations.test_forms_and_pages import form_data
from tests.redis_server import redis_server  # noqa: F401 - the private Redis fixture
from tests.test_api import PLEDGES, cash_body

CLIENT, NEIGHBOUR, PROXY = "203.0.113.7", "203.0.113.99", "10.0.0.2"


@pytest.fixture(autouse=True)
def _shared_cache_reachable(monkeypatch):
    """Each test starts with the shared cache in use and an empty in-process fallback."""
    fallback = throttling._fallback
    monkeypatch.setattr(throttling, "_cache_down_until", 0.0)
    fallback.clear()
    yield
    fallback.clear()


@pytest.fixture
def limit_of(settings, monkeypatch):
    """`limit_of("2/hour")`: the pledge limit for this test (the API's throttle reads its rates once)."""

    def set_rate(rate: str) -> None:
        rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "pledge_create": rate}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
        monkeypatch.setattr(PledgeCreateThrottle, "THROTTLE_RATES", rates)

    return set_rate


@pytest.fixture
def clock(monkeypatch):
    """The throttle's wall clock, set by the test: `clock.now = ...`."""
    fake = types.SimpleNamespace(now=1_800_000_000.0)
    monkeypatch.setattr(throttling, "time", types.SimpleNamespace(time=lambda: fake.now,
                                                                  monotonic=throttling.time.monotonic))
    return fake


def pledge_api(client, ip=CLIENT, campaign=None, forwarded=None, body=None, content_type="application/json"):
    extra = {"REMOTE_ADDR": ip}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    payload = body if body is not None else json.dumps(cash_body(campaign))
    return client.post(PLEDGES, payload, content_type=content_type, **extra).status_code


def pledge_form(client, campaign, ip=CLIENT, **overrides):
    return client.post(f"/campaigns/{campaign.slug}/donate/", form_data(**overrides), REMOTE_ADDR=ip)


# --- the pledge limit --------------------------------------------------------------------------------


def test_the_default_limit_is_sixty_a_minute_per_address(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["pledge_create"] == "60/min"
    assert (PledgeCreateThrottle().limiter.limit, PledgeCreateThrottle().limiter.period) == (60, 60)


def test_a_client_sent_forwarded_for_is_ignored_without_a_proxy(client, open_campaign, limit_of):
    # given a limit of 2 an hour, and no proxy configured
    limit_of("2/hour")

    # when one client sends three pledges, each claiming to come from another address
    statuses = [pledge_api(client, campaign=open_campaign, forwarded=f"198.51.100.{n}") for n in range(3)]

    # then they all count against the connection's address
    assert statuses == [201, 201, 429]
    assert Pledge.objects.count() == 2


def test_behind_the_proxy_each_client_has_its_own_limit(client, open_campaign, limit_of, settings):
    # given one proxy in front of the portal, appending the address it saw to X-Forwarded-For
    settings.TRUSTED_PROXY_COUNT = 1
    limit_of("2/hour")

    # when one client pledges three times (once adding its own forged address), and a neighbour once
    own = [pledge_api(client, ip=PROXY, campaign=open_campaign, forwarded=CLIENT) for _ in range(2)]
    forged = pledge_api(client, ip=PROXY, campaign=open_campaign, forwarded=f"198.51.100.1, {CLIENT}")
    neighbour = pledge_api(client, ip=PROXY, campaign=open_campaign, forwarded=NEIGHBOUR)

    # then the client's third is refused whatever it claims, and the neighbour behind the same proxy is not
    assert (own, forged, neighbour) == ([201, 201], 429, 201)
    assert Pledge.objects.count() == 3


def test_requests_that_never_reached_validation_are_not_counted(client, open_campaign, limit_of):
    # given a limit of 2 an hour
    limit_of("2/hour")

    # when the address first sends broken bodies: malformed JSON, and a body of the wrong type
    broken = [pledge_api(client, body="{not json") for _ in range(5)]
    wrong_type = [pledge_api(client, body="campaign=x", content_type="text/plain") for _ in range(5)]

    # and asks what the endpoint allows, reads it, and tries a method it does not take
    other = [client.options(PLEDGES, REMOTE_ADDR=CLIENT).status_code, client.get(PLEDGES, REMOTE_ADDR=CLIENT).status_code,
             client.put(PLEDGES, "{}", content_type="application/json", REMOTE_ADDR=CLIENT).status_code]

    # then they are refused as such, and honest pledges from the same address still go through
    assert (set(broken), set(wrong_type), other) == ({400}, {415}, [200, 405, 405])
    assert [pledge_api(client, campaign=open_campaign) for _ in range(3)] == [201, 201, 429]


def test_refused_requests_do_not_use_up_the_next_window(client, open_campaign, limit_of, clock):
    # given a limit of 2 a minute, used up, then hammered with 20 more requests
    limit_of("2/min")
    clock.now = 1_800_000_000.0  # the start of a minute
    assert [pledge_api(client, campaign=open_campaign) for _ in range(22)] == [201, 201] + [429] * 20

    # when half of the next minute has passed (the last minute still counts for half)
    clock.now += 90

    # then one more place is free: the 20 refused requests were never counted
    assert [pledge_api(client, campaign=open_campaign) for _ in range(2)] == [201, 429]


def test_the_count_is_atomic_under_concurrent_requests(db):
    # given a limit of 5 and 40 requests from one address at once (threads sharing the counter)
    limiter = RateLimit(scope="race", limit=5, period=60)
    results, start = [], threading.Barrier(40)

    def request():
        start.wait()
        results.append(limiter.hit(CLIENT))

    threads = [threading.Thread(target=request) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then exactly five were let through
    assert results.count(True) == 5


@pytest.mark.redis_server
def test_the_count_is_atomic_in_redis_across_connections(db, redis_server, settings):
    # given the cache in a real Redis, and 40 requests at once, each thread with its own connection
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": redis_server.url(0)}}
    limiter = RateLimit(scope="race", limit=7, period=60)
    results, start = [], threading.Barrier(40)

    def request():
        start.wait()
        results.append(limiter.hit(CLIENT))

    threads = [threading.Thread(target=request) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then exactly seven were let through, and the counter holds exactly seven
    assert results.count(True) == 7
    assert sum(int(v) for v in cache._cache.get_client().mget(cache._cache.get_client().keys("*rate:race*"))
               if v is not None) == 7


@pytest.mark.redis_server
def test_a_pledge_costs_one_redis_round_trip(client, open_campaign, redis_server, settings, monkeypatch):
    # given the cache in a real Redis that has counted one pledge already (and so knows the script)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": redis_server.url(0)}}
    assert pledge_api(client, campaign=open_campaign) == 201
    sent = []
    execute = redis.Redis.execute_command
    monkeypatch.setattr(redis.Redis, "execute_command",
                        lambda self, *args, **options: sent.append(args[0]) or execute(self, *args, **options))

    # when the address pledges again
    assert pledge_api(client, campaign=open_campaign) == 201

    # then the count and the check against the limit were one command to Redis, which counted both pledges
    assert sent == ["EVALSHA"]
    counters = cache._cache.get_client()
    assert sum(int(counters.get(key)) for key in counters.keys(f"*rate:pledge_create:{CLIENT}:*")) == 2


class BrokenCache:
    """Every call fails as when Redis is unreachable."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        return fail


def test_with_the_cache_down_pledges_still_succeed_and_are_counted_in_process(
    client, open_campaign, limit_of, monkeypatch, caplog
):
    # given a limit of 2 an hour and a cache that cannot be reached
    limit_of("2/hour")
    monkeypatch.setattr(throttling, "cache", BrokenCache())

    # when the address pledges three times
    with caplog.at_level(logging.WARNING, logger="relief_portal.throttling"):
        statuses = [pledge_api(client, campaign=open_campaign) for _ in range(3)]

    # then no pledge fails for it: the limit is counted in the process instead, and that is logged once
    assert statuses == [201, 201, 429]
    assert Pledge.objects.count() == 2
    assert [r.getMessage() for r in caplog.records if r.name == "relief_portal.throttling"] == [
        "rate limits: the cache is unreachable; counting in this process for the next 10.0 s"
    ]


def test_when_no_counter_works_the_request_goes_through(open_campaign, monkeypatch, caplog):
    monkeypatch.setattr(throttling, "cache", BrokenCache())
    monkeypatch.setattr(throttling, "_fallback", BrokenCache())
    limiter = RateLimit(scope="pledge_create", limit=1, period=60)

    with caplog.at_level(logging.WARNING, logger="relief_portal.throttling"):
        assert [limiter.exhausted(CLIENT), limiter.hit(CLIENT), limiter.hit(CLIENT)] == [False, True, True]

    assert "no counter available; letting the request through" in caplog.text


# --- the donate form ---------------------------------------------------------------------------------


def test_the_donate_form_shares_the_limit_with_the_api(en_client, open_campaign, limit_of):
    # given a limit of 2 an hour, one pledge already made through the API
    limit_of("2/hour")
    assert pledge_api(en_client, campaign=open_campaign) == 201

    # when the same address sends the donate form twice
    first, second = pledge_form(en_client, open_campaign), pledge_form(en_client, open_campaign)

    # then the first is saved, and the second is shown again with the reason and when to retry
    assert first.status_code == 302
    assert second.status_code == 429
    assert int(second["Retry-After"]) > 0
    page = second.content.decode()
    assert "Too many pledges from your network right now. Please wait a little and press" in page
    assert 'value="Nguyễn Văn An"' in page  # what was typed is kept
    assert Pledge.objects.count() == 2
    # and another address is not affected
    assert pledge_form(en_client, open_campaign, ip=NEIGHBOUR).status_code == 302


def test_the_refusal_is_in_vietnamese_by_default(client, open_campaign, limit_of):
    limit_of("1/hour")
    pledge_form(client, open_campaign)

    page = pledge_form(client, open_campaign).content.decode()

    assert "Có quá nhiều lượt ủng hộ từ mạng của bạn lúc này." in page


def test_a_formset_claiming_a_hundred_thousand_lines_builds_no_more_than_twenty(
    en_client, open_campaign, monkeypatch
):
    # given a goods pledge whose management form claims 100,000 item lines
    built = []
    original = GoodsLineForm.__init__

    def counting_init(self, *args, **kwargs):
        built.append(kwargs.get("prefix"))
        original(self, *args, **kwargs)

    monkeypatch.setattr(GoodsLineForm, "__init__", counting_init)
    data = form_data(kind="goods", amount="", **{"items-TOTAL_FORMS": "100000", "items-MAX_NUM_FORMS": "100000"})

    # when it is posted
    response = pledge_form(en_client, open_campaign, **data)

    # then at most the twenty allowed forms (and the empty template line) are built, and nothing is saved
    assert response.status_code == 400
    assert len(built) <= 21
    assert "Please submit at most 20 forms." in response.content.decode()
    assert Pledge.objects.count() == 0


# --- the admin login lockout -------------------------------------------------------------------------


@pytest.fixture
def axes_on(db, settings):
    settings.AXES_ENABLED = True
    reset()
    yield
    reset()


def login(client, username, password, ip, forwarded=None):
    extra = {"REMOTE_ADDR": ip}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    data = {"username": username, "password": password, "next": "/admin/"}
    return client.post("/admin/login/", data, **extra).status_code


def guess_five_times(client, username, ip, forwarded=None):
    return [login(client, username, f"doan-sai-{n}", ip, forwarded) for n in range(5)]


def test_guessing_a_staff_password_locks_only_the_guesser(axes_on, client, lao_cai_staff, central):
    # given five wrong passwords for laocai from an attacker's address
    assert guess_five_times(client, "laocai", CLIENT) == [200, 200, 200, 200, 429]

    # then the attacker is locked out of that account, even with the right password
    assert login(client, "laocai", PASSWORDS["laocai"], CLIENT) == 429
    # but laocai logs in from their own address, and other staff from the attacker's address
    assert login(client, "laocai", PASSWORDS["laocai"], NEIGHBOUR) == 302
    client.logout()
    assert login(client, "trunguong", PASSWORDS["trunguong"], CLIENT) == 302


def test_behind_the_proxy_the_lockout_is_per_real_client(axes_on, client, lao_cai_staff, settings):
    # given one proxy in front of the portal
    settings.TRUSTED_PROXY_COUNT = 1

    # when an attacker behind it guesses laocai's password five times, forging addresses of its own
    guesses = [login(client, "laocai", f"doan-sai-{n}", PROXY, f"198.51.100.{n}, {CLIENT}") for n in range(5)]

    # then the attacker's real address is locked, and laocai behind the same proxy is not
    assert guesses == [200, 200, 200, 200, 429]
    assert login(client, "laocai", PASSWORDS["laocai"], PROXY, f"198.51.100.9, {CLIENT}") == 429
    assert login(client, "laocai", PASSWORDS["laocai"], PROXY, NEIGHBOUR) == 302


def test_without_a_proxy_a_forged_forwarded_for_does_not_escape_the_lockout(axes_on, client, lao_cai_staff):
    guesses = [login(client, "laocai", f"doan-sai-{n}", CLIENT, f"198.51.100.{n}") for n in range(5)]

    assert guesses == [200, 200, 200, 200, 429]
    assert login(client, "laocai", PASSWORDS["laocai"], CLIENT, "198.51.100.77") == 429


def test_an_admin_unlocks_a_username_with_a_command(axes_on, client, lao_cai_staff):
    guess_five_times(client, "laocai", CLIENT)

    call_command("axes_reset_username", "laocai")

    assert login(client, "laocai", PASSWORDS["laocai"], CLIENT) == 302
