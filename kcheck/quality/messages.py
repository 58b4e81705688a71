"""What to tell the person, in their language, so the next photo is a good one."""

from __future__ import annotations

from collections.abc import Sequence

from kcheck.quality.verdict import by_priority

LOCALES = ("en", "fr", "de", "it")
PASS = "pass"  # noqa: S105 - the message key for a passed photo, not a secret

MESSAGES: dict[str, dict[str, str]] = {
    PASS: {
        "en": "Looks good: the photo is sharp and readable.",
        "fr": "C'est bon : la photo est nette et lisible.",
        "de": "Sieht gut aus: Das Foto ist scharf und lesbar.",
        "it": "Va bene: la foto è nitida e leggibile.",
    },
    "not_an_image": {
        "en": "This file is not a photo. Please take a picture with your camera.",
        "fr": "Ce fichier n'est pas une photo. Prenez une photo avec votre appareil.",
        "de": "Diese Datei ist kein Foto. Bitte machen Sie ein Foto mit Ihrer Kamera.",
        "it": "Questo file non è una foto. Scatti una foto con la fotocamera.",
    },
    "unsupported_format": {
        "en": "This image format is not accepted. Please send a JPEG, PNG or HEIC photo.",
        "fr": "Ce format d'image n'est pas accepté. Envoyez une photo JPEG, PNG ou HEIC.",
        "de": "Dieses Bildformat wird nicht akzeptiert. Bitte senden Sie ein JPEG-, PNG- oder HEIC-Foto.",
        "it": "Questo formato non è accettato. Invii una foto JPEG, PNG o HEIC.",
    },
    "too_large": {
        "en": "This image is too large. Please send a normal camera photo.",
        "fr": "Cette image est trop grande. Envoyez une photo normale de l'appareil.",
        "de": "Dieses Bild ist zu gross. Bitte senden Sie ein normales Kamerafoto.",
        "it": "Questa immagine è troppo grande. Invii una normale foto della fotocamera.",
    },
    "low_resolution": {
        "en": "The photo is too small to read. Use your main camera at full resolution.",
        "fr": "La photo est trop petite pour être lue. Utilisez l'appareil principal en pleine résolution.",
        "de": "Das Foto ist zu klein zum Lesen. Verwenden Sie die Hauptkamera in voller Auflösung.",
        "it": "La foto è troppo piccola per essere letta. Usi la fotocamera principale alla "
        "massima risoluzione.",
    },
    "blurry": {
        "en": "The photo is blurred. Hold the phone still and tap the screen to focus.",
        "fr": "La photo est floue. Tenez le téléphone immobile et touchez l'écran pour "
        "faire la mise au point.",
        "de": "Das Foto ist unscharf. Halten Sie das Telefon ruhig und tippen Sie zum "
        "Scharfstellen auf den Bildschirm.",
        "it": "La foto è sfocata. Tenga fermo il telefono e tocchi lo schermo per mettere a fuoco.",
    },
    "too_dark": {
        "en": "The photo is too dark. Move to a brighter place or turn on a light.",
        "fr": "La photo est trop sombre. Placez-vous dans un endroit plus lumineux ou allumez une lampe.",
        "de": "Das Foto ist zu dunkel. Gehen Sie an einen helleren Ort oder schalten Sie ein Licht ein.",
        "it": "La foto è troppo scura. Si sposti in un luogo più luminoso o accenda una luce.",
    },
    "too_bright": {
        "en": "The photo is too bright. Move out of direct light and turn off the flash.",
        "fr": "La photo est trop claire. Évitez la lumière directe et désactivez le flash.",
        "de": "Das Foto ist zu hell. Meiden Sie direktes Licht und schalten Sie den Blitz aus.",
        "it": "La foto è troppo chiara. Eviti la luce diretta e disattivi il flash.",
    },
    "glare": {
        "en": "Move away from the lamp: light reflects on the document. Tilt it slightly and try again.",
        "fr": "Éloignez-vous de la lampe : la lumière se reflète sur le document. "
        "Inclinez-le légèrement et réessayez.",
        "de": "Gehen Sie von der Lampe weg: Licht spiegelt sich auf dem Dokument. Kippen "
        "Sie es leicht und versuchen Sie es erneut.",
        "it": "Si allontani dalla lampada: la luce si riflette sul documento. Lo inclini "
        "leggermente e riprovi.",
    },
    "document_not_found": {
        "en": "We cannot see your document. Place it flat on a dark, plain surface and "
        "fill the frame with it.",
        "fr": "Nous ne voyons pas votre document. Posez-le à plat sur une surface sombre "
        "et unie et cadrez-le en entier.",
        "de": "Wir sehen Ihr Dokument nicht. Legen Sie es flach auf eine dunkle, "
        "einfarbige Fläche und füllen Sie den Rahmen damit.",
        "it": "Non vediamo il documento. Lo appoggi su una superficie scura e uniforme e "
        "lo inquadri per intero.",
    },
    "document_cut_off": {
        "en": "Part of the document is outside the photo. Move back so all four corners are visible.",
        "fr": "Une partie du document est hors de la photo. Reculez pour que les quatre "
        "coins soient visibles.",
        "de": "Ein Teil des Dokuments liegt ausserhalb des Fotos. Gehen Sie zurück, "
        "bis alle vier Ecken sichtbar sind.",
        "it": "Una parte del documento è fuori dalla foto. Si allontani finché i quattro "
        "angoli sono visibili.",
    },
    "document_too_small": {
        "en": "The document is too far away. Move closer so it fills most of the frame.",
        "fr": "Le document est trop loin. Rapprochez-vous pour qu'il remplisse presque tout le cadre.",
        "de": "Das Dokument ist zu weit weg. Gehen Sie näher heran, bis es fast das ganze Bild füllt.",
        "it": "Il documento è troppo lontano. Si avvicini finché riempie quasi tutta l'inquadratura.",
    },
    "wrong_document_side": {
        "en": "This is the wrong side of the document. Turn it over and take the photo again.",
        "fr": "Ce n'est pas le bon côté du document. Retournez-le et reprenez la photo.",
        "de": "Das ist die falsche Seite des Dokuments. Drehen Sie es um und machen Sie das Foto erneut.",
        "it": "Questo è il lato sbagliato del documento. Lo giri e scatti di nuovo la foto.",
    },
    "no_face": {
        "en": "We cannot see your face. Look at the camera with your face uncovered.",
        "fr": "Nous ne voyons pas votre visage. Regardez l'appareil, visage découvert.",
        "de": "Wir sehen Ihr Gesicht nicht. Schauen Sie mit unbedecktem Gesicht in die Kamera.",
        "it": "Non vediamo il suo volto. Guardi la fotocamera con il viso scoperto.",
    },
    "multiple_faces": {
        "en": "Only you should be in the selfie. Make sure nobody else is in the picture.",
        "fr": "Vous seul devez figurer sur le selfie. Vérifiez que personne d'autre n'est dans l'image.",
        "de": "Nur Sie sollten auf dem Selfie sein. Achten Sie darauf, dass niemand sonst im Bild ist.",
        "it": "Nel selfie deve esserci solo lei. Si assicuri che nessun altro sia nell'inquadratura.",
    },
    "face_too_small": {
        "en": "Your face is too small in the photo. Hold the phone closer to your face.",
        "fr": "Votre visage est trop petit sur la photo. Rapprochez le téléphone de votre visage.",
        "de": "Ihr Gesicht ist auf dem Foto zu klein. Halten Sie das Telefon näher an Ihr Gesicht.",
        "it": "Il suo volto è troppo piccolo nella foto. Avvicini il telefono al viso.",
    },
}

# Where a slot's document makes a reason's general sentence wrong: a passport has no other side
# to turn to. The wrong "side" of a passport is its cover, a visa or another page.
SLOT_MESSAGES: dict[tuple[str, str], dict[str, str]] = {
    ("passport_page", "wrong_document_side"): {
        "en": "This is not the passport's photo page. Open the passport at the page with your photo "
              "and two lines of <<< at the bottom, and take the photo again.",
        "fr": "Ce n'est pas la page du passeport avec votre photo. Ouvrez-le à la page portant votre "
              "photo et deux lignes de <<< en bas, puis reprenez la photo.",
        "de": "Das ist nicht die Seite des Passes mit Ihrem Foto. Schlagen Sie die Seite mit Ihrem "
              "Foto und zwei Zeilen <<< unten auf und machen Sie das Foto erneut.",
        "it": "Questa non è la pagina del passaporto con la sua foto. Lo apra alla pagina con la sua "
              "foto e due righe di <<< in basso e scatti di nuovo la foto.",
    },
}


def normalise_locale(locale: str | None) -> str:
    """'fr-CH', 'de_DE', 'IT' -> 'fr', 'de', 'it'; anything else -> 'en'."""
    language = (locale or "").replace("_", "-").split("-")[0].strip().lower()
    return language if language in LOCALES else "en"


def message_for(reasons: Sequence[str], locale: str | None, slot: str | None = None) -> str:
    """One or two short sentences telling the person how to fix the most important reason (in
    words for the `slot`'s document where SLOT_MESSAGES has them).

    No reasons means the photo passed. Unknown reason codes fall back to a generic retake
    message rather than failing, so a newer worker never breaks an older client.
    """
    language = normalise_locale(locale)
    ordered = by_priority(reasons)
    if not ordered:
        return MESSAGES[PASS][language]
    texts = SLOT_MESSAGES.get((slot or "", ordered[0])) or MESSAGES.get(ordered[0])
    if texts is None:
        return _GENERIC[language]
    return texts[language]


_GENERIC = {
    "en": "Please take the photo again.",
    "fr": "Veuillez reprendre la photo.",
    "de": "Bitte machen Sie das Foto erneut.",
    "it": "Per favore scatti di nuovo la foto.",
}
