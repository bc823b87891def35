"""The directory as an Open Referral UK 3.0 feed (HSDS-UK-3.0): a static rendering of its read-only API.

Each provider is an organization and each of its lot offers a service, with the provider's
locations, contacts, a weekly schedule, a cost option and taxonomy terms (lot, key stages,
needs, reasons, subjects; areas on locations) linked through attributes. Ids are UUIDv5s made
from slugs and codes, so they are the same in every build and do not move when a provider is
added. Optional fields with no value are left out, never null.

File names: a static host answers a folder's address (`api/services/`) from its `index.html`
and a document's address (`api/services/<id>`) from the file of that name, so each document is
written there for ORUK clients, and again with `.json` added (`index.json` in a folder), which
hosts serve as JSON, for browsers and people. Because the `index.html` copies are served as
HTML, `<`, `>` and `&` inside strings are written as \\u escapes: a browser finds no markup in them.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from typing import Iterable, Iterator

from apdirectory.checking.rules import KEY_STAGE_AGES
from apdirectory.reading.load import Entry
from apdirectory.reading.models import DAYS, Location, LotOffer, Provider
from apdirectory.site import checks
from apdirectory.site.directory import Directory
from apdirectory.site.present import MODE_LABELS, REGISTRATION_LABELS, date_text, days_text, hours_text, months_text

VERSION = "HSDS-UK-3.0"
PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md"
OPENAPI_URL = "https://openreferraluk.org/specifications/3.0/openapi.json"
FEED_FOLDER = "api/"
# A static host cannot answer ?page=2, so one page holds everything up to this many items (far
# more than a council's framework has); longer lists get more pages at <list>/page/<n>/.
PAGE_SIZE = 1000
RRULE_DAYS = dict(zip(DAYS, ("MO", "TU", "WE", "TH", "FR", "SA", "SU")))
ONLINE_AREA = "online"  # a location in this area is a virtual classroom; its address is for post
# DfE registration, Ofsted and the framework are all English, so every location is in England.
STATE_PROVINCE, COUNTRY = "England", "GB"
CHARITY_SCHEMES = {"SC": "GB-SC", "NI": "GB-NIC"}  # org-id.guide lists; others are GB-CHC
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}  # a hex digit -> 10xx

# key: (name, description, link_type), in the order the feed lists them
TAXONOMIES = {
    "lots": ("Lots", "The lots of the council's alternative provision framework.", "lot"),
    "key-stages": ("Key stages", "Key stages of the National Curriculum in England.", "key_stage"),
    "needs": ("Needs", "Special educational needs a provider can meet: the SEN types of need in the "
              "Department for Education's school census.", "need"),
    "reasons": ("Reasons for referral", "Why a pupil is referred to alternative provision.", "reason"),
    "subjects": ("Subjects", "Subjects and vocational courses taught.", "subject"),
    "areas": ("Areas", "Where a provider's location is.", "area"),
}


def feed_base(directory: Directory) -> str:
    return directory.config.site.base_url + FEED_FOLDER


def feed_files(directory: Directory, page_size: int = PAGE_SIZE) -> dict[str, bytes]:
    """Every feed document as files below api/, each at its ORUK address and with .json added."""
    return dict(each_file(feed_documents(directory, page_size).items()))


def each_file(documents: Iterable[tuple[str, dict]]) -> Iterator[tuple[str, bytes]]:
    """The files of documents: each document at its two addresses, one after the other."""
    for address, document in documents:
        data = feed_json(document)
        for path in file_paths(address):
            yield FEED_FOLDER + path, data


def file_paths(address: str) -> list[str]:
    """"services/" -> its index.html and index.json; "services/<id>" -> itself and <id>.json."""
    if address == "" or address.endswith("/"):
        return [address + "index.html", address + "index.json"]
    return [address, address + ".json"]


def feed_json(document: dict) -> bytes:
    # Compact: programs read the feed. ASCII only: the files at ORUK's addresses (index.html, or no
    # extension) are not served as JSON, so nothing tells a client that they are UTF-8.
    data = (json.dumps(document, separators=(",", ":")) + "\n").encode()
    # With ASCII only, <, > and & can only be inside strings, where \u escapes mean the same.
    return data.replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")


def feed_documents(directory: Directory, page_size: int = PAGE_SIZE) -> dict[str, dict]:
    """ORUK address below the feed (such as "services/<id>") -> its document."""
    feed = Feed(directory)
    documents = list_documents(feed, page_size)
    for entry in directory.providers:
        documents |= dict(feed.provider_documents(entry))
    return documents


def list_documents(feed: Feed, page_size: int = PAGE_SIZE) -> dict[str, dict]:
    """The documents that are not a provider's own: the feed's root, the lists, the taxonomies."""
    listed = [feed.listed(entry) for entry in feed.directory.providers]
    documents = {"": {"version": VERSION, "profile": PROFILE_URL, "openapi_url": OPENAPI_URL}}
    documents |= list_pages("services/", [item for _, items in listed for item in items], page_size)
    documents |= list_pages("organizations/", [organization for organization, _ in listed], page_size)
    documents |= list_pages("taxonomies/", [summary(t) for t in feed.taxonomies.values()], page_size)
    documents |= {f"taxonomies/{t['id']}": t for t in feed.taxonomies.values()}
    documents |= list_pages("taxonomy_terms/", list(feed.terms.values()), page_size)
    documents |= {f"taxonomy_terms/{term['id']}": term for term in feed.terms.values()}
    return documents


def list_pages(folder: str, items: list[dict], page_size: int) -> dict[str, dict]:
    """A paginated list in the ORUK shape: page 1 at the folder, page n at <folder>page/<n>/."""
    chunks = [items[start:start + page_size] for start in range(0, len(items), page_size)] or [[]]
    pages = {}
    for number, contents in enumerate(chunks, start=1):
        address = folder if number == 1 else f"{folder}page/{number}/"
        pages[address] = {"total_items": len(items), "total_pages": len(chunks), "page_number": number,
                          "size": len(contents), "first_page": number == 1, "last_page": number == len(chunks),
                          "empty": not items, "contents": contents}  # last: _list_json counts on it
    return pages


def summary(document: dict) -> dict:
    """A list item: the document's own fields, without the arrays of related records."""
    return {key: value for key, value in document.items() if not isinstance(value, list)}


def compact(**fields) -> dict:
    """The fields that have a value: optional fields with none are left out, not null."""
    return {key: value for key, value in fields.items() if value is not None and value != []}


class Feed:
    """Builds ORUK records from the directory, with ids that depend only on slugs and codes."""

    def __init__(self, directory: Directory):
        self.directory = directory
        self.site = directory.config.site
        # The council's name keeps two councils' ids apart if their feeds are ever merged.
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"urn:ap-directory:{self.site.council}").bytes
        self._namespace_sha1 = hashlib.sha1(self.namespace, usedforsecurity=False)
        self.taxonomies = {key: self._taxonomy(key) for key in TAXONOMIES}
        self.terms = {(key, term["term"]): term for key, taxonomy in self.taxonomies.items()
                      for term in taxonomy["taxonomy_terms"]}

    def id(self, *parts) -> str:
        """The parts' UUIDv5 in this feed's namespace, exactly as str(uuid.uuid5(...)) writes it.

        Made straight from the SHA-1 digest (RFC 4122, 4.3), of which the namespace's part is taken
        once: a feed has tens of thousands of ids, and building a uuid.UUID object for each was most
        of the time the feed took.
        """
        sha1 = self._namespace_sha1.copy()
        sha1.update("/".join(map(str, parts)).encode())
        digits = sha1.hexdigest()
        # The version (5) in the 13th digit, the RFC 4122 variant in the two top bits of the 17th.
        return f"{digits[:8]}-{digits[8:12]}-5{digits[13:16]}-{_VARIANT[digits[16]]}{digits[17:20]}-{digits[20:32]}"

    # --- taxonomies -------------------------------------------------------------------------

    def _taxonomy(self, key: str) -> dict:
        name, description, _ = TAXONOMIES[key]
        taxonomy_id = self.id("taxonomy", key)
        terms = [compact(id=self.id("taxonomy_term", key, code), name=term_name, description=term_description,
                         taxonomy=name, taxonomy_id=taxonomy_id, term=code, term_uri=uri)
                 for code, term_name, term_description, uri in self._term_values(key)]
        return {"id": taxonomy_id, "name": name, "description": description, "taxonomy_terms": terms}

    def _term_values(self, key: str) -> list[tuple]:
        """(code, name, description, uri or None) of each term of a taxonomy."""
        if key == "lots":
            return [(str(lot.data.number), f"Lot {lot.data.number}: {lot.data.title}", lot.data.summary,
                     f"{self.site.base_url}lots/{lot.slug}/") for lot in self.directory.lots]
        if key == "key-stages":
            return [(stage, f"Key stage {stage[2:]}", f"Pupils aged {low} to {high}.", None)
                    for stage, (low, high) in KEY_STAGE_AGES.items()]
        vocabulary = getattr(self.directory.config.vocabularies, key)
        kind = {"needs": "Need", "reasons": "Reason for referral", "subjects": "Subject", "areas": "Area"}[key]
        return [(code, label, f"{kind}: {label}.", None) for code, label in vocabulary.items()]

    def attributes(self, link_id: str, link_entity: str, key: str, codes) -> list[dict]:
        link_type = TAXONOMIES[key][2]
        return [{"id": self.id("attribute", link_id, key, code), "link_id": link_id, "link_type": link_type,
                 "link_entity": link_entity, "taxonomy_term_id": self.terms[key, str(code)]["id"],
                 "taxonomy_term": self.terms[key, str(code)]}
                for code in codes]

    # --- organizations ----------------------------------------------------------------------

    def provider_documents(self, entry: Entry[Provider]) -> list[tuple[str, dict]]:
        """The provider's own documents, by address: its organization and its services."""
        organization, services = self.provider(entry)
        return [(f"organizations/{organization['id']}", organization),
                *((f"services/{service['id']}", service) for service in services)]

    def provider(self, entry: Entry[Provider]) -> tuple[dict, list[dict]]:
        """A provider's organization document and its services, one per lot offer.

        The services share the provider's organization and location records, built once.
        """
        organization = self.organization_record(entry)
        locations = [self.location(entry, place) for place in entry.data.locations]
        services = [self.service(entry, offer, organization, locations) for offer in entry.data.lots]
        # An organization's own services are listed without the organization around them.
        listed = [{key: value for key, value in summary(service).items() if key != "organization"}
                  for service in services]
        return {**organization, "services": listed}, services

    def listed(self, entry: Entry[Provider]) -> tuple[dict, list[dict]]:
        """The provider as the lists show it: its organization's own fields, and each service's
        own fields with those of its organization, as the standard's /services/ list has them."""
        organization = summary(self.organization_record(entry))
        return organization, [{**self._service_fields(entry, offer, organization["id"]), "organization": organization}
                              for offer in entry.data.lots]

    def organization_record(self, entry: Entry[Provider]) -> dict:
        p = entry.data
        org_id = self.id("organization", entry.slug)
        return compact(id=org_id, name=p.name, description=p.summary, email=p.contact.referrals.email,
                       website=p.organisation.website,
                       organization_identifiers=self._identifiers(org_id, entry))

    def _identifiers(self, org_id: str, entry: Entry[Provider]) -> list[dict]:
        org, urn = entry.data.organisation, entry.data.registration.dfe_urn
        charity = org.charity_number
        found = [("GB-EDU", "DfE URN", urn), ("GB-COH", "Company number", org.company_number),
                 (CHARITY_SCHEMES.get((charity or "")[:2], "GB-CHC"), "Charity number", charity)]
        return [{"id": self.id("organization_identifier", entry.slug, scheme), "organization_id": org_id,
                 "identifier_scheme": scheme, "identifier_type": kind, "identifier": value}
                for scheme, kind, value in found if value]

    # --- services ---------------------------------------------------------------------------

    def service(self, entry: Entry[Provider], offer: LotOffer, organization: dict, locations: list[dict]) -> dict:
        """One lot offer of a provider, given the provider's organization and location records."""
        p, fields = entry.data, self._service_fields(entry, offer, organization["id"])
        service_id = fields["id"]
        return {**fields, **compact(
            schedules=[self._schedule(service_id, entry, offer)],
            service_at_locations=[self._service_at_location(service_id, location) for location in locations],
            organization=organization,
            cost_options=[self._cost_option(service_id, offer)] if offer.price else [],
            contacts=self._contacts(service_id, entry),
            attributes=(self.attributes(service_id, "service", "lots", [offer.lot])
                        + self.attributes(service_id, "service", "key-stages", offer.key_stages)
                        + self.attributes(service_id, "service", "needs", p.needs)
                        + self.attributes(service_id, "service", "reasons", p.reasons)
                        + self.attributes(service_id, "service", "subjects", offer.subjects)),
        )}

    def _service_fields(self, entry: Entry[Provider], offer: LotOffer, organization_id: str) -> dict:
        """A service's own fields: those that are not lists of related records. They come first."""
        p, lot = entry.data, self.directory.lot(offer.lot).data
        registration = REGISTRATION_LABELS[p.registration.type]
        if p.registration.dfe_urn:
            registration += f" (DfE URN {p.registration.dfe_urn})"
        return compact(
            id=self.id("service", entry.slug, f"lot-{offer.lot}"), organization_id=organization_id,
            name=f"{p.name}: Lot {lot.number}, {lot.title}",
            description=offer.offer, url=f"{self.site.base_url}providers/{entry.slug}/",
            email=p.contact.referrals.email,
            # "Paused" providers are on the framework but take no referrals for now.
            status="temporarily closed" if p.status == "paused" else "active",
            accreditations=self._accreditations(p, registration), minimum_age=offer.ages.min, maximum_age=offer.ages.max,
            assured_date=p.quality_assured.isoformat() if p.quality_assured else None,
            assurer_email=self.site.contact_email if p.quality_assured else None,
            alert=self._alert(p),
        )

    def _accreditations(self, p: Provider, registration: str) -> str:
        """The registration, then each check the council has made with its date (ORUK has no field of its own)."""
        made = [f"{check.label}: {check.seen[0].lower() + check.seen[1:]}, last confirmed on {date_text(check.date)}"
                + (" (due to be checked again)" if check.due else "")
                for check in checks.provider_checks(self.directory, p) if check.date]
        if not made:
            return registration + "."
        return f"{registration}. Checked by {self.site.council}: " + "; ".join(made) + "."

    def _alert(self, p: Provider) -> str | None:
        """Not taking referrals, and an entry too old to rely on: what the provider page says at its top."""
        alerts = ["Not taking referrals at the moment."] if p.status == "paused" else []
        if checks.stale(self.directory, p):
            alerts.append(f"Last checked on {date_text(p.last_reviewed)}, more than "
                          f"{months_text(self.directory.config.review.max_age_months)} ago. "
                          "Confirm the details with the provider before you refer.")
        return " ".join(alerts) or None

    def _schedule(self, service_id: str, entry: Entry[Provider], offer: LotOffer) -> dict:
        days = sorted(set(offer.days), key=DAYS.index)
        return {"id": self.id("schedule", service_id), "service_id": service_id, "freq": "WEEKLY", "interval": 1,
                "byday": ",".join(RRULE_DAYS[day] for day in days),
                "description": f"{hours_text(offer.hours_per_week)}, {days_text(days)}.",
                "attending_type": MODE_LABELS[offer.mode]}

    def _cost_option(self, service_id: str, offer: LotOffer) -> dict:
        return {"id": self.id("cost_option", service_id), "service_id": service_id,
                "amount": offer.price.amount, "amount_description": f"per {offer.price.per}"}

    def _contacts(self, service_id: str, entry: Entry[Provider]) -> list[dict]:
        """The referrals team (a role mailbox) and the designated safeguarding lead, as the page shows them."""
        contact = entry.data.contact
        people = [("referrals", contact.referrals, "Referrals"),
                  ("safeguarding", contact.safeguarding_lead, "Designated safeguarding lead")]
        contacts = []
        for key, person, title in people:
            contact_id = self.id("contact", service_id, key)
            phones = [{"id": self.id("phone", contact_id), "contact_id": contact_id, "number": person.phone}]
            # email and phones are HSDS 3.0 contact fields that the UK profile leaves open.
            contacts.append(compact(id=contact_id, service_id=service_id, name=person.name, title=title,
                                    email=person.email, phones=phones if person.phone else []))
        return contacts

    def _service_at_location(self, service_id: str, location: dict) -> dict:
        return {"id": self.id("service_at_location", service_id, location["id"]), "service_id": service_id,
                "location_id": location["id"], "location": location}

    def location(self, entry: Entry[Provider], place: Location) -> dict:
        location_id = self.id("location", entry.slug, place.name, place.postcode)
        online = place.area == ONLINE_AREA
        lines = place.address
        address = {"id": self.id("address", location_id), "location_id": location_id,
                   "address_1": ", ".join(lines[:-1] or lines), "city": lines[-1],
                   "state_province": STATE_PROVINCE, "postal_code": place.postcode, "country": COUNTRY,
                   "address_type": "postal" if online else "physical"}
        access = None
        if place.step_free_access is not None:
            access = [{"id": self.id("accessibility", location_id), "location_id": location_id,
                       "description": "Step-free access" if place.step_free_access else "No step-free access"}]
        return compact(id=location_id, location_type="virtual" if online else "physical", name=place.name,
                       description=place.travel, addresses=[address], accessibility=access,
                       attributes=self.attributes(location_id, "location", "areas", [place.area]))
