"""The English words of the emails to the subject; notices.py assembles them."""

from __future__ import annotations

# A paragraph that is exactly "{link}", "{authority}" or "{code}" stands on its own line.

COMMON: dict[str, str] = {
    "controller": "the hosting company",
    "contact": "our privacy team through the contact details on our website",
    "greeting": "Dear Sir or Madam,",
    "greeting_named": "Dear {recipient},",
    "closing": "If you have any questions, please contact {contact}.",
    "signature": "Kind regards,\nThe privacy team of {controller}",
    "minutes_one": "1 minute",
    "minutes_many": "{n} minutes",
}

SUBJECTS: dict[str, str] = {
    "archive_ready": "Your personal data is ready to download (request {ref})",
    "erasure_done": "Your erasure request {ref} is complete",
    "extension": "We need more time to answer your request {ref}",
    "refusal": "We will not act on your request {ref}",
    "rejected_unverified": "Your request {ref} has been closed: identity not confirmed",
    "verification_code": "Your verification code",
    "rectification_done": "Your personal data has been corrected (request {ref})",
    "restriction_done": "We have restricted the use of your personal data (request {ref})",
    "objection_done": "We have stopped using your data as you objected (request {ref})",
    "objection_other_done": "We have upheld your objection (request {ref})",
    "portability_ready": "Your data to take with you is ready (request {ref})",
}

_COMPLAINT = (
    "If you disagree, you have the right to lodge a complaint with the supervisory authority, "
    "the Autoriteit Persoonsgegevens (the Dutch Data Protection Authority), and to seek a "
    "judicial remedy before a court (Articles 77 and 79 GDPR):"
)

BODIES: dict[str, tuple[str, ...]] = {
    "archive_ready": (
        "You asked {controller} for your personal data (request {ref}). It is ready, and you "
        "can download it here:",
        "{link}",
        "The link works until {expires}; after that, ask us for a new one. Anyone who has the "
        "link can download your data, so please do not forward this email.",
        "The download is a ZIP file. It holds a letter (README.html and README.txt) that "
        "explains why we process your data, who receives it, how long we keep it and what "
        "your rights are; a list of all files (manifest.json); and your data itself in the "
        "folder data, as JSON and CSV files that you can open with a text editor or a "
        "spreadsheet.",
    ),
    "erasure_done": (
        "We have completed your request {ref} to erase your personal data. The proof of "
        "erasure shows, per system, what we erased and when:",
        "{link}",
        "Some data we must keep by law, such as invoices, which tax law requires us to keep "
        "for seven years. The proof lists what we kept, why and until when. Until then we "
        "keep that data locked away and use it for nothing else; after that we delete it.",
        "The link works for a limited time, so please download the proof and keep it.",
    ),
    "rectification_done": (
        "We have corrected your personal data as you asked (request {ref}), in our own "
        "systems and with every organisation we had passed it on to, such as domain "
        "registries and IP address registries. Each of them has been told of the correction "
        "(Article 19 GDPR). The proof shows, per system, what was corrected and when:",
        "{link}",
        "Where something could not be corrected, the proof says why: an invoice we issued, "
        "for example, must keep the details it was issued with.",
        "The link works for a limited time, so please download the proof and keep it.",
    ),
    "restriction_done": (
        "We have restricted the processing of your personal data (request {ref}): we keep "
        "it stored, but use it for nothing else without your consent, except to establish "
        "or defend legal claims or where the law requires (Article 18 GDPR). We will tell "
        "you before we lift the restriction. Everyone we passed your data on to has been "
        "told (Article 19 GDPR). The proof shows, per system, what was done:",
        "{link}",
        "Some systems, such as public registries run by other organisations, cannot restrict "
        "data; the proof says so for each of them and why.",
    ),
    "objection_done": (
        "You objected to the use of your personal data (request {ref}). We have stopped it: "
        "you will receive no more newsletters or other direct marketing from us, and we no "
        "longer use your data to build a profile for it (Article 21 GDPR). The proof shows, "
        "per system, what was done:",
        "{link}",
        "We keep a note of your objection so that we do not contact you again by mistake.",
    ),
    "objection_other_done": (
        "You objected to the use of your personal data (request {ref}). Our privacy officer "
        "weighed your objection and upheld it: we have stopped that processing in every "
        "system, except where the law requires it or to establish or defend legal claims "
        "(Article 21(1) GDPR). The proof shows, per system, what was done:",
        "{link}",
    ),
    "portability_ready": (
        "You asked {controller} for the personal data you gave us, in a form you can take "
        "to another provider (request {ref}, Article 20 GDPR). It is ready here:",
        "{link}",
        "The link works until {expires}. The ZIP file holds your data as JSON and CSV files, "
        "which other providers' systems can read, and a letter that explains its contents.",
        "If you asked us to send it to another provider directly, we have done so and kept "
        "the receipt they gave us; ask us for it if you need it.",
    ),
    "extension": (
        "We received your request {ref} on {received}. The law gives us one month to answer "
        "it. Article 12(3) of the General Data Protection Regulation (GDPR) allows us to "
        "extend that period by up to two further months if a request is complex or if we "
        "receive many requests.",
        "We need that extra time for your request. The reason: {reason}",
        "You will receive our answer no later than {new_due}.",
        _COMPLAINT,
        "{authority}",
    ),
    "refusal": (
        "We have received your request {ref} and considered it carefully. We will not act on it.",
        "The reason: {reason}",
        "You have the right to lodge a complaint about this decision with the supervisory "
        "authority, the Autoriteit Persoonsgegevens (the Dutch Data Protection Authority; "
        "Article 77 GDPR):",
        "{authority}",
        "You also have the right to seek a judicial remedy (Article 79 GDPR): you can ask the "
        "district court (rechtbank) to order us to grant your request. You must file that "
        "application within six weeks of receiving this message (Article 35 of the Dutch "
        "GDPR Implementation Act, UAVG).",
    ),
    "rejected_unverified": (
        "On {asked} we asked you to confirm your identity for your request {ref}. We need "
        "that confirmation to be sure that we give personal data only to the person it "
        "belongs to. We did not receive it in time, so we have closed your request.",
        "This does not affect your rights. You can submit a new request at any time, in the "
        "same way as before. We will then ask you again to confirm your identity, and we "
        "will ask for no more information than we need for that.",
        _COMPLAINT,
        "{authority}",
    ),
    "verification_code": (
        "Someone, probably you, asked {controller} to act on a request about personal data. "
        "To confirm that the request comes from you, give this one-time code to the member of "
        "our privacy team who handles your request (by phone, or in your reply to them):",
        "{code}",
        "The code is valid for {minutes}. Give it to no one else: it only confirms this "
        "request, and we will never ask you for a password.",
        "Did you not make a request? Then you can ignore this email; nothing happens without "
        "the code.",
    ),
}
