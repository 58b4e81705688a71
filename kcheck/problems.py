"""RFC 9457 problem details: the one error format of the JSON API, titles localized."""

from __future__ import annotations

from flask import Response, json, request
from werkzeug.exceptions import HTTPException

from kcheck.domain.cases import MAX_PHOTO_MB

LANGS = ("en", "fr", "de", "it")

# code -> (status, {lang: title})
CATALOGUE: dict[str, tuple[int, dict[str, str]]] = {
    "bad_request": (400, {"en": "The request is malformed.", "fr": "La requête est mal formée.",
                          "de": "Die Anfrage ist fehlerhaft.", "it": "La richiesta non è valida."}),
    "validation_failed": (422, {"en": "Some fields are missing or invalid.",
                                "fr": "Des champs manquent ou sont invalides.",
                                "de": "Einige Felder fehlen oder sind ungültig.",
                                "it": "Alcuni campi mancano o non sono validi."}),
    "unauthorized": (401, {"en": "Authentication is missing or invalid.",
                           "fr": "Authentification absente ou invalide.",
                           "de": "Authentifizierung fehlt oder ist ungültig.",
                           "it": "Autenticazione mancante o non valida."}),
    "link_invalid": (401, {"en": "This link is no longer valid. Ask for a new one.",
                           "fr": "Ce lien n'est plus valable. Demandez-en un nouveau.",
                           "de": "Dieser Link ist nicht mehr gültig. Fordern Sie einen neuen an.",
                           "it": "Questo link non è più valido. Richiedine uno nuovo."}),
    "forbidden": (403, {"en": "This key may not do that.", "fr": "Cette clé n'y est pas autorisée.",
                        "de": "Dieser Schlüssel darf das nicht.", "it": "Questa chiave non è autorizzata."}),
    "not_found": (404, {"en": "Not found.", "fr": "Introuvable.", "de": "Nicht gefunden.",
                        "it": "Non trovato."}),
    "method_not_allowed": (405, {"en": "Method not allowed.", "fr": "Méthode non autorisée.",
                                 "de": "Methode nicht erlaubt.", "it": "Metodo non consentito."}),
    "conflict": (409, {"en": "The case is not in a state that allows this.",
                       "fr": "Le dossier ne permet pas cette action dans son état actuel.",
                       "de": "Der Fall erlaubt diese Aktion in seinem Zustand nicht.",
                       "it": "Lo stato della pratica non consente questa azione."}),
    "step_out_of_order": (409, {"en": "An earlier step must be completed first.",
                                "fr": "Une étape précédente doit d'abord être terminée.",
                                "de": "Zuerst muss ein früherer Schritt abgeschlossen werden.",
                                "it": "Occorre prima completare un passaggio precedente."}),
    "incomplete": (409, {"en": "Some steps are not finished yet.",
                         "fr": "Certaines étapes ne sont pas terminées.",
                         "de": "Einige Schritte sind noch nicht abgeschlossen.",
                         "it": "Alcuni passaggi non sono ancora completati."}),
    "idempotency_mismatch": (422, {"en": "This Idempotency-Key was used with another request.",
                                   "fr": "Cette Idempotency-Key a servi à une autre requête.",
                                   "de": "Dieser Idempotency-Key wurde für eine andere Anfrage verwendet.",
                                   "it": "Questa Idempotency-Key è già stata usata per un'altra richiesta."}),
    "too_large": (413, {"en": f"The file is too large ({MAX_PHOTO_MB} MB at most).",
                        "fr": f"Le fichier est trop volumineux ({MAX_PHOTO_MB} Mo au plus).",
                        "de": f"Die Datei ist zu groß (höchstens {MAX_PHOTO_MB} MB).",
                        "it": f"Il file è troppo grande (al massimo {MAX_PHOTO_MB} MB)."}),
    "unsupported_format": (415, {"en": "Send a JPEG, PNG or HEIC photo.",
                                 "fr": "Envoyez une photo JPEG, PNG ou HEIC.",
                                 "de": "Senden Sie ein JPEG-, PNG- oder HEIC-Foto.",
                                 "it": "Invia una foto JPEG, PNG o HEIC."}),
    "not_an_image": (415, {"en": "The file is not a readable photo.",
                           "fr": "Le fichier n'est pas une photo lisible.",
                           "de": "Die Datei ist kein lesbares Foto.",
                           "it": "Il file non è una foto leggibile."}),
    "low_resolution": (422, {"en": "The photo's resolution is too low.",
                             "fr": "La résolution de la photo est trop faible.",
                             "de": "Die Auflösung des Fotos ist zu niedrig.",
                             "it": "La risoluzione della foto è troppo bassa."}),
    "invalid_phone": (422, {"en": "Enter a valid mobile number with its country code.",
                            "fr": "Saisissez un numéro de mobile valide avec l'indicatif du pays.",
                            "de": "Geben Sie eine gültige Mobilnummer mit Ländervorwahl ein.",
                            "it": "Inserisci un numero di cellulare valido con il prefisso internazionale."}),
    "wrong_code": (400, {"en": "The code is wrong.", "fr": "Le code est erroné.",
                         "de": "Der Code ist falsch.", "it": "Il codice è errato."}),
    "code_expired": (400, {"en": "The code has expired. Request a new one.",
                           "fr": "Le code a expiré. Demandez-en un nouveau.",
                           "de": "Der Code ist abgelaufen. Fordern Sie einen neuen an.",
                           "it": "Il codice è scaduto. Richiedine uno nuovo."}),
    "code_locked": (429, {"en": "Too many wrong codes. Request a new code.",
                          "fr": "Trop de codes erronés. Demandez un nouveau code.",
                          "de": "Zu viele falsche Codes. Fordern Sie einen neuen Code an.",
                          "it": "Troppi codici errati. Richiedi un nuovo codice."}),
    "verification_locked": (403, {
        "en": "Too many wrong codes for this verification. Our support team will look at it "
              "and contact you.",
        "fr": "Trop de codes erronés pour cette vérification. Notre support l'examinera et "
              "vous contactera.",
        "de": "Zu viele falsche Codes für diese Prüfung. Unser Support prüft sie und meldet "
              "sich bei Ihnen.",
        "it": "Troppi codici errati per questa verifica. Il nostro supporto la esaminerà e "
              "ti contatterà."}),
    "sms_limit": (429, {"en": "No more codes can be sent for this verification. Ask for a new link.",
                        "fr": "Plus aucun code ne peut être envoyé pour cette vérification. Demandez un nouveau lien.",
                        "de": "Für diese Prüfung können keine Codes mehr gesendet werden. Fordern Sie einen neuen Link an.",
                        "it": "Non è possibile inviare altri codici per questa verifica. Richiedi un nuovo link."}),
    "rate_limited": (429, {"en": "Too many requests. Try again shortly.",
                           "fr": "Trop de requêtes. Réessayez dans un instant.",
                           "de": "Zu viele Anfragen. Versuchen Sie es gleich erneut.",
                           "it": "Troppe richieste. Riprova tra poco."}),
    "location_invalid": (422, {"en": "The location is invalid or too old. Share it again.",
                               "fr": "La position est invalide ou trop ancienne. Partagez-la à nouveau.",
                               "de": "Der Standort ist ungültig oder zu alt. Teilen Sie ihn erneut.",
                               "it": "La posizione non è valida o è troppo vecchia. Condividila di nuovo."}),
    "service_unavailable": (503, {"en": "Temporarily unavailable. Nothing was lost: try again.",
                                  "fr": "Indisponible pour l'instant. Rien n'est perdu : réessayez.",
                                  "de": "Vorübergehend nicht verfügbar. Nichts ging verloren: bitte erneut versuchen.",
                                  "it": "Temporaneamente non disponibile. Nulla è andato perso: riprova."}),
    "internal_error": (500, {"en": "Something went wrong on our side.",
                             "fr": "Une erreur s'est produite de notre côté.",
                             "de": "Bei uns ist ein Fehler aufgetreten.",
                             "it": "Si è verificato un errore da parte nostra."}),
}


class Problem(Exception):
    """Raise anywhere in a view to answer with a problem document."""

    def __init__(self, code: str, status: int | None = None, detail: str | None = None,
                 headers: dict[str, str] | None = None, **extra):
        super().__init__(code)
        self.code = code
        self.status = status or CATALOGUE[code][0]
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def refusal_as_problem(refused) -> Problem:
    """A use case's `Refused` as the API answers it."""
    extra = dict(refused.extra)
    headers = {"Retry-After": str(extra["retry_after_s"])} if "retry_after_s" in extra else None
    return Problem(refused.code, detail=refused.detail, headers=headers, **extra)


def unauthorized() -> Problem:
    return Problem("unauthorized", headers={"WWW-Authenticate": "Bearer"})


def bearer_token() -> str:
    """The credential of `Authorization: Bearer ...`, or a 401 problem."""
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.startswith("Bearer ") else ""
    if not token:
        raise unauthorized()
    return token


def wants_problem() -> bool:
    """Whether this request is answered in JSON (the API, or a script asking for JSON); HTML
    pages get HTML errors."""
    return request.path.startswith("/v1/") or request.accept_mimetypes.best == "application/json"


def negotiate_language(default: str = "en") -> str:
    if not request:
        return default
    return request.accept_languages.best_match(LANGS, default=default) or default


def problem_response(problem: Problem) -> Response:
    titles = CATALOGUE.get(problem.code, CATALOGUE["internal_error"])[1]
    body = {
        "type": f"https://kcheck.dev/problems/{problem.code}",
        "title": titles.get(negotiate_language(), titles["en"]),
        "status": problem.status,
        "code": problem.code,
    }
    if problem.detail:
        body["detail"] = problem.detail
    body.update(problem.extra)
    response = Response(json.dumps(body), status=problem.status,
                        mimetype="application/problem+json")
    for name, value in problem.headers.items():
        response.headers[name] = value
    response.headers["Content-Language"] = negotiate_language()
    return response


HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "too_large", 415: "unsupported_format",
              429: "rate_limited"}


def http_exception_as_problem(exc: HTTPException) -> Response:
    code = HTTP_CODES.get(exc.code or 500, "internal_error" if (exc.code or 500) >= 500 else "bad_request")
    problem = Problem(code, status=exc.code)
    if exc.code == 429:
        retry = getattr(exc, "retry_after", None)
        problem.headers["Retry-After"] = str(retry or 60)
    return problem_response(problem)
