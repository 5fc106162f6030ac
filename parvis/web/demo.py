"""The demo site and its seeded thread: a French article discussed in French, English, Hebrew and Arabic.

Seeding goes through post_comment and vote, the same actions readers use, so the demo shows exactly
what real traffic produces.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from parvis import conf
from parvis.comments.actions.post import Draft, post_comment
from parvis.comments.actions.react import flag, vote
from parvis.comments.models import Comment
from parvis.core.clients import ClientFingerprint, keyed_hash
from parvis.core.models import CommentRule, Site
from parvis.identity.models import SignInSettings
from parvis.threads.models import Thread

SITE_SLUG = "demo"
THREAD_KEY = "demo-article"
THREAD_TITLE = "Budget participatif : Lyon double la mise"
# The subscribers-only article (/demo/subscribers/): its thread is created with who_may_comment="subscribers".
SUBSCRIBERS_KEY = "demo-subscribers"
SUBSCRIBERS_TITLE = "Enquête : ce que coûte vraiment l’entretien des fontaines"
SUBSCRIBERS_PATH = "/demo/subscribers/"
NEWSROOM_LOGIN_PATH = "/demo/newsroom/login/"


@dataclass(frozen=True)
class Seed:
    ref: str
    name: str
    body: str
    reply_to: str | None = None
    hours_ago: float = 0
    votes: int = 0


# fmt: off
SEEDS = [
    Seed("a", "Camille D.", "Enfin une bonne nouvelle ! Les fontaines installées l’an dernier dans mon quartier sont utilisées tous les jours.", None, 47, 9),
    Seed("a1", "Marc", "Utilisées, oui, mais qui paie l’entretien ? Ce n’est pas compté dans les **4 millions**.", "a", 46, 3),
    Seed("a2", "Camille D.", "Bonne question. Le bilan promis pour l’automne devrait le dire, j’espère.", "a1", 45, 2),
    Seed("a3", "Yonatan", "In Tel Aviv the same debate happened in 2019: maintenance ended up in the regular budget.", "a1", 44, 4),
    Seed("b", "Sophie Lambert", "4 % de participation, c’est peu… mais c’est plus que pour certaines élections partielles.", None, 43, 6),
    Seed("b1", "Rachid", "Il faudrait voter aussi dans les écoles et les centres sociaux, pas seulement en ligne.", "b", 42, 5),
    Seed("b2", "ليلى", "أوافقك الرأي. كثير من الناس في حيّنا لم يسمعوا أبداً بهذا التصويت.", "b1", 41, 4),
    Seed("b3", "Rachid", "Exactement, Leïla. L’affichage dans les halls d’immeuble marcherait mieux qu’une appli.", "b2", 40, 1),
    Seed("c", "Daniel Cohen", "The standfirst says “deux fois plus qu’en 2025” – does anyone know the 2025 figure? The article doesn’t say.", None, 38, 2),
    Seed("c1", "Claire", "C’était 2 millions, d’après le rapport de la commission des finances (p. 14).", "c", 37, 7),
    Seed("c2", "Daniel Cohen", "Thanks Claire! So the *per-inhabitant* amount is still small: about 7 € a year.", "c1", 36, 3),
    Seed("d", "נועה", "כתבה מעניינת. גם אצלנו בחיפה יש תקציב משתתף, והפרויקט הכי פופולרי היה גינה קהילתית.", None, 34, 5),
    Seed("d1", "Pierre-Yves", "Merci pour ce témoignage de Haïfa ! Les jardins partagés ont aussi gagné ici.", "d", 33, 2),
    Seed("d2", "נועה", "בשמחה! The hard part was keeping volunteers after the first year.", "d1", 32, 3),
    Seed("e", "Jean-Michel", "Un « gadget électoral » ? Éclairer le passage de la Guillotière, c’est de la sécurité, pas un gadget.", None, 30, 11),
    Seed("e1", "Anaïs", "Je passe là tous les soirs : ça a vraiment changé les choses.", "e", 29, 6),
    Seed("e2", "Thomas B.", "Sauf que ce genre de travaux devrait être fait de toute façon, sans vote.", "e", 28, 4),
    Seed("e3", "Jean-Michel", "D’accord sur le principe, mais ça traînait depuis dix ans. Le vote a débloqué le dossier.", "e2", 27, 3),
    Seed("f", "سامي", "مبادرة جيدة، لكن يجب تخصيص جزء من الميزانية للأحياء ذات الأولوية كما تطالب المعارضة.", None, 26, 4),
    Seed("f1", "Hélène", "Je suis d’accord avec Sami : une part réservée aux quartiers prioritaires serait juste.", "f", 25, 3),
    Seed("f2", "Olivier", "Ou alors on pondère les votes par quartier ? Ça se fait à Paris je crois.", "f1", 24, 1),
    Seed("g", "Emma W.", "Lovely idea. Can non-French residents submit projects, or only voters?", None, 22, 2),
    Seed("g1", "Claire", "Tout habitant de plus de 16 ans, quelle que soit sa nationalité — c’est dans le règlement.", "g", 21, 5),
    Seed("g2", "Emma W.", "Great, thank you! I’ll propose a bike rack for our street.", "g1", 20, 2),
    Seed("h", "Lucas", "La commission « tirée au sort » : combien de membres, et pour combien de temps ?", None, 18, 1),
    Seed("h1", "Marc", "12 habitants et 6 élus, renouvelés chaque année, si j’ai bien lu la délibération.", "h", 17, 2),
    Seed("i", "Fatima Z.", "Mon projet de boîte à livres avait été refusé l’an dernier, je retente ma chance !", None, 15, 4),
    Seed("i1", "ليلى", "بالتوفيق يا فاطمة! فكرة رائعة للأطفال.", "i", 14, 2),
    Seed("i2", "Fatima Z.", "شكراً ليلى 🙏", "i1", 13, 1),
    Seed("j", "Avi", "מישהו יודע אם אפשר להצביע גם בדואר? לא לכולם יש אינטרנט.", None, 11, 2),
    Seed("j1", "Sophie Lambert", "Oui : un bulletin papier est disponible dans chaque mairie d’arrondissement.", "j", 10, 3),
    Seed("k", "Nicolas", "Dommage que l’article ne mentionne pas les projets refusés pour « infaisabilité ». Une liste existe ?", None, 8, 3),
    Seed("k1", "Camille D.", "Elle est publiée sur le site de la Ville, rubrique *Participer*.", "k", 7, 2),
    Seed("l", "Grace", "Reading this from Montréal: our participatory budget started small too, now it’s 10% of capital spending.", None, 5, 4),
    Seed("l1", "Jean-Michel", "10 % ! On en est loin. Merci pour la comparaison.", "l", 4, 1),
    Seed("m", "Inès", "Petite remarque : le lien vers le dépôt des projets ne fonctionne pas sur mobile.\n\n> jusqu’au 31 mars\n\nÇa laisse peu de temps.", None, 2, 2),
]
# fmt: on

# Comments the moderation should stop, so the demo's admin (and later the queue) shows decisions with their
# reasons: personal data, a defamation risk, link spam, insults in Hebrew and Arabic, an antisemitic trope.
# Written for the demo.
# fmt: off
HELD_SEEDS = [
    Seed("h1", "Bruno P.", "Pour les inscriptions, appelez-moi directement au 06 12 34 56 78, je m’occupe du dossier.", None, 5),
    Seed("h2", "Anonyme", "Ce maire est un escroc et un voleur, tout le monde le sait.", None, 4),
    Seed("h3", "Best Deals", "Make money from home!!! Visit bit.ly/cash-now www.cheap-pills.example.com www.casino-bonus.example.com", None, 3),
    Seed("h4", "דני", "אתה אידיוט מטומטם, סתום את הפה", "b", 2),
    Seed("h5", "سامي", "انت غبي وحمار، اسكت", "b", 2),
    Seed("h6", "Patriote", "Évidemment, ce sont encore les Rothschild qui tirent les ficelles de ce budget.", None, 1),
]
# Readers reporting a published comment, for the moderators' "reported" view.
REPORTED = ("c", ("off_topic", "misinformation", "off_topic"))
# fmt: on


def _fingerprint(label: str) -> ClientFingerprint:
    return ClientFingerprint(ip_hash=keyed_hash(f"demo:{label}"), network_hash="", user_agent_hash="")


def ensure_site() -> Site:
    origin = conf.public_url()
    origins = sorted({origin, "http://127.0.0.1:8000", "http://localhost:8000"})
    site, _ = Site.objects.update_or_create(
        slug=SITE_SLUG,
        defaults={
            "name": "Le Quotidien de Lyon (démo)",
            "allowed_origins": origins,
            "default_language": "fr",
            "policy_text": (
                "La rédaction retirera d’office tout commentaire antisémite, raciste, diffamatoire ou injurieux, "
                "ou qui contrevient à nos valeurs."
            ),
            "privacy_text": (
                "Vos commentaires restent sur nos serveurs : votre adresse e-mail n’est jamais affichée et votre "
                "adresse IP n’est conservée que sous forme chiffrée."
            ),
        },
    )
    _ensure_sign_in(site)
    return site


def _ensure_sign_in(site: Site) -> SignInSettings:
    """The demo newsroom signs its readers in with an HS256 secret made here once and kept in the database (never
    in the repository); "Sign in" in the widget sends readers to the newsroom's login page."""
    config, _ = SignInSettings.objects.get_or_create(site=site)
    changed = []
    if not config.sso_secret and not config.sso_public_key:
        config.sso_secret = secrets.token_urlsafe(32)
        changed.append("sso_secret")
    login_url = f"{conf.public_url()}{NEWSROOM_LOGIN_PATH}"
    if config.sso_login_url != login_url:
        config.sso_login_url = login_url
        changed.append("sso_login_url")
    if changed:
        config.save(update_fields=changed)
    return config


def ensure_subscribers_thread(site: Site) -> Thread:
    """The thread of the subscribers-only article: only readers the newsroom signs in as subscribers may comment."""
    thread, _ = Thread.objects.update_or_create(
        site=site,
        key=SUBSCRIBERS_KEY,
        defaults={
            "url": f"{conf.public_url()}{SUBSCRIBERS_PATH}",
            "title": SUBSCRIBERS_TITLE,
            "who_may_comment": CommentRule.SUBSCRIBERS,
        },
    )
    return thread


def _post(site: Site, item: Seed, ids: dict[str, int], now: datetime, author: str) -> int:
    """Post one seed as its own reader would, dated ``item.hours_ago`` before ``now``; returns the comment's id."""
    draft = Draft(
        thread_key=THREAD_KEY,
        thread_url=f"{conf.public_url()}/",
        thread_title=THREAD_TITLE,
        body=item.body,
        parent_id=ids[item.reply_to] if item.reply_to else None,
        author_name=item.name,
    )
    comment = post_comment(site, draft, _fingerprint(author)).comment
    Comment.objects.filter(pk=comment.pk).update(created_at=now - timedelta(hours=item.hours_ago))
    return comment.pk


def seed(reset: bool = False) -> tuple[Site, int]:
    """Create the demo site and thread; returns the site and the number of comments created.

    Each seeded author and voter has its own fingerprint, so the default rate limits are never reached."""
    site = ensure_site()
    with transaction.atomic():
        if reset:
            Thread.objects.filter(site=site, key__in=[THREAD_KEY, SUBSCRIBERS_KEY]).delete()
        ensure_subscribers_thread(site)
        if Comment.objects.filter(thread__site=site, thread__key=THREAD_KEY).exists():
            return site, 0
        ids: dict[str, int] = {}
        now = timezone.now()
        for index, item in enumerate(SEEDS):
            ids[item.ref] = _post(site, item, ids, now, f"author-{index}")
            for voter in range(item.votes):
                vote(site, ids[item.ref], 1, _fingerprint(f"voter-{voter}"))
        for index, item in enumerate(HELD_SEEDS):
            _post(site, item, ids, now, f"held-{index}")
        reported, reasons = REPORTED
        for index, reason in enumerate(reasons):
            flag(site, ids[reported], reason, "", _fingerprint(f"reporter-{index}"))
    return site, len(SEEDS)


MODERATOR = "moderateur"


def ensure_moderator(site: Site) -> str | None:
    """A moderator account for the demo site; returns its new password when it was just created (printed once)."""
    from django.contrib.auth import get_user_model

    from parvis.dashboard.models import Membership, Role

    users = get_user_model()
    if users.objects.filter(username=MODERATOR).exists():
        return None
    password = secrets.token_urlsafe(12)
    user = users.objects.create_user(MODERATOR, password=password)
    Membership.objects.create(user=user, site=site, role=Role.MODERATOR)
    return password
