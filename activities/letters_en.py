"""The English words of the Art. 15 cover letter; letters.py assembles them."""

from __future__ import annotations

# One title per Art. 15(1)-(2) item, plus the guide to the files (Art. 15(3), the copy).
TITLES: dict[str, str] = {
    "purposes": "Why we process your data",
    "categories": "What personal data we hold",
    "recipients": "Who receives your data",
    "transfers": "Transfers outside the European Union",
    "retention": "How long we keep your data",
    "rights": "Your rights",
    "complaint": "Complaining to the supervisory authority",
    "source": "Where your data comes from",
    "automated": "Automated decision-making",
    "files": "What is in this archive",
}

TEXTS: dict[str, str] = {
    "title": "Your personal data",
    "intro_access": (
        "This archive answers your request {ref} of {received}, made under Article 15 of "
        "the General Data Protection Regulation (GDPR). It holds a copy of all personal "
        "data we have about you, in files you can open yourself, and below you find the "
        "information the law entitles you to. We completed it on {completed}."
    ),
    "intro_portability": (
        "This archive answers your request {ref} of {received}, made under Article 20 of "
        "the General Data Protection Regulation (GDPR). It holds the personal data you "
        "gave us, in structured, machine-readable files (JSON and CSV) that you can reuse "
        "or pass on to another provider. We completed it on {completed}."
    ),
    "purposes_lead": "We use your personal data for these purposes:",
    "categories_lead": "This archive holds these categories of personal data, per system:",
    "categories_none": "We found no personal data about you in our systems.",
    "recipients_lead": (
        "We share your personal data with these recipients, only as far as the purposes "
        "above require:"
    ),
    "recipients_none": "We do not share your personal data with other organisations.",
    "outside_eu": "outside the EU",
    "transfers_some": (
        "These recipients are outside the European Union: {names}. For them we rely on an "
        "adequacy decision of the European Commission where one exists; otherwise on the "
        "Commission's standard contractual clauses or, where a registration in a worldwide "
        "registry is needed for a service you ordered, on Article 49(1)(b) GDPR. You can "
        "ask us for a copy of these safeguards."
    ),
    "transfers_none": (
        "We do not transfer your personal data to recipients outside the European Union."
    ),
    "retention_lead": (
        "Some data we must keep for a fixed period, even if you ask us to erase it. During "
        "that period we use it for nothing else:"
    ),
    "retention_rule": "{category}: {years}. {basis}",
    "retention_limits_lead": "Other data we delete after a fixed period, whatever else happens:",
    "retention_limit": "{category}: after {years}. {basis}",
    "years_one": "1 year",
    "years_many": "{n} years",
    "months_one": "1 month",
    "months_many": "{n} months",
    "days_one": "1 day",
    "days_many": "{n} days",
    "retention_criteria": (
        "Other data we keep only as long as the purposes above require: while you are our "
        "customer, and after that no longer than our retention policy allows. Then we "
        "delete or anonymise it."
    ),
    "rights_lead": (
        "You have the following rights. Using them is free: contact us the same way you "
        "made this request."
    ),
    "right_rectification": (
        "Rectification (Art. 16): have incorrect data corrected or incomplete data completed."
    ),
    "right_erasure": (
        "Erasure (Art. 17): have your data deleted, except data we must keep by law (see above)."
    ),
    "right_restriction": (
        "Restriction (Art. 18): have us stop using your data for a while, for example "
        "while we check a correction."
    ),
    "right_objection": (
        "Objection (Art. 21): object to processing based on our legitimate interest; for "
        "direct marketing we always stop."
    ),
    "right_portability": (
        "Portability (Art. 20): receive the data you gave us in a machine-readable format, "
        "or have it sent to another provider."
    ),
    "right_consent": "Where we rely on your consent, you can withdraw it at any time.",
    "complaint": (
        "If you are not satisfied with how we handle your personal data, you have the right "
        "to complain to the supervisory authority. We would appreciate the chance to help "
        "you first. In the Netherlands the authority is the Autoriteit Persoonsgegevens:"
    ),
    "source_you": (
        "We collected all personal data in this archive from you: when you ordered "
        "services, contacted us or subscribed to our newsletter."
    ),
    "source_others": (
        "Most data we collected from you. Some data comes from public registries, where "
        "others, such as a provider you used before, may also have entered it:"
    ),
    "source_item": "{name} ({role}): registration data from its database.",
    "automated": (
        "We do not make decisions about you based solely on automated processing, "
        "including profiling, that have legal or similarly significant effects for you "
        "(Art. 22 GDPR)."
    ),
    "files_lead": "The archive holds these files:",
    "file_readme": "README.html and README.txt: this letter, as a web page and as plain text.",
    "file_manifest": (
        "manifest.json: a list of every file with its size, number of records and SHA-256 "
        "fingerprint, so you can check that nothing is missing or changed."
    ),
    "file_json": (
        "data/<system>/<dataset>.json: your data in JSON, a standard format that any text "
        "editor or web browser can open and that another provider can import."
    ),
    "file_csv": (
        "data/<system>/<dataset>.csv: the same data as a table. Open it with a spreadsheet "
        "such as LibreOffice Calc, Microsoft Excel or Numbers (UTF-8, comma-separated). "
        "Nested values appear as JSON text."
    ),
    "datasets_lead": "Datasets in this archive:",
    "datasets_none": "There are no data files, because we found no personal data about you.",
    "records_one": "1 record",
    "records_many": "{n} records",
    "closing": "If anything is unclear, just contact us; we are glad to help.",
}

# Why data is processed, in the order of the letter.
PURPOSES: dict[str, str] = {
    "contract": (
        "To provide the services you ordered (hosting, domain names, SSL certificates, VPS "
        "and IP space) and to keep your customer account: performance of our contract "
        "(Art. 6(1)(b) GDPR)."
    ),
    "finance": (
        "To invoice you, process your payments and meet our tax obligations: legal "
        "obligation (Art. 6(1)(c) GDPR)."
    ),
    "registration": (
        "To register domain names, SSL certificates and IP addresses for you with "
        "registries, registrars, certificate authorities and RIPE NCC or ARIN, as their "
        "rules require: performance of our contract."
    ),
    "support": (
        "To answer your questions and complaints and to support and maintain your "
        "services: performance of our contract and our legitimate interest in good service."
    ),
    "marketing": (
        "To send you our newsletter, only with your consent (Art. 6(1)(a) GDPR), which you "
        "can withdraw at any time."
    ),
    "security": (
        "To keep our network and your services secure and to investigate abuse and "
        "incidents: our legitimate interest (Art. 6(1)(f) GDPR)."
    ),
}

CATEGORIES: dict[str, str] = {
    "identity": "Identity and contact details",
    "contracts": "Orders, contracts and services",
    "billing": "Invoices and payments",
    "domains": "Domain name registrations",
    "certificates": "SSL certificate orders",
    "network": "IP address and network registrations",
    "support": "Support requests and correspondence",
    "calls": "Recorded phone calls",
    "newsletter": "Newsletter subscriptions and consent records",
    "logs": "Web traffic logs",
    "other": "Other data",
}

# The retention rules and recipient roles are configured in English already.
RETENTION: dict[str, tuple[str, str]] = {}
ROLES: dict[str, str] = {}

COUNTRIES: dict[str, str] = {
    "NL": "the Netherlands",
    "BE": "Belgium",
    "DE": "Germany",
    "FR": "France",
    "IE": "Ireland",
    "LU": "Luxembourg",
    "GB": "the United Kingdom",
    "US": "the United States",
    "CA": "Canada",
    "CH": "Switzerland",
}

MONTHS: tuple[str, ...] = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
