<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="nb_NO">
<context>
    <name>Calls</name>
    <message>
        <source>not available in this version yet</source>
        <extracomment>What to do about the usual refusals (source texts, translated where shown).</extracomment>
        <translation>ikke tilgjengelig i denne versjonen ennå</translation>
    </message>
    <message>
        <source>sign in first</source>
        <translation>logg inn først</translation>
    </message>
    <message>
        <source>the service is not running</source>
        <translation>tjenesten kjører ikke</translation>
    </message>
</context>
<context>
    <name>MiniBuoy</name>
    <message>
        <source>You</source>
        <extracomment>Source texts, translated where shown (``i18n``).</extracomment>
        <translation>Du</translation>
    </message>
    <message>
        <source>Mini-Buoy</source>
        <translation>Mini-Buoy</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Sign in to use Mini-Buoy.</source>
        <translation>Logg inn for å bruke Mini-Buoy.</translation>
    </message>
    <message>
        <source>Mini-Buoy needs the server, which cannot be reached now.</source>
        <translation>Mini-Buoy trenger serveren, som ikke kan nås nå.</translation>
    </message>
    <message>
        <source>Mini-Buoy is not available in this version.</source>
        <translation>Mini-Buoy finnes ikke i denne versjonen.</translation>
    </message>
    <message>
        <source>Mini-Buoy could not answer: {reason}</source>
        <translation>Mini-Buoy kunne ikke svare: {reason}</translation>
    </message>
    <message>
        <source>Hide Mini-Buoy</source>
        <translation>Skjul Mini-Buoy</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Samtale</translation>
    </message>
    <message>
        <source>Ask Mini-Buoy… (Enter sends, Shift+Enter new line, Esc hides)</source>
        <translation>Spør Mini-Buoy … (Enter sender, Shift+Enter ny linje, Esc skjuler)</translation>
    </message>
    <message>
        <source>Question for Mini-Buoy</source>
        <translation>Spørsmål til Mini-Buoy</translation>
    </message>
    <message>
        <source>Attach the selected record</source>
        <translation>Legg ved valgt post</translation>
    </message>
    <message>
        <source>Add the answer as a note</source>
        <translation>Legg til svaret som notat</translation>
    </message>
    <message>
        <source>Add the answer as a note to the attached record</source>
        <translation>Legg til svaret som notat på den vedlagte posten</translation>
    </message>
    <message>
        <source>Attach {record}</source>
        <translation>Legg ved {record}</translation>
    </message>
    <message>
        <source>Select a record in the main window first.</source>
        <translation>Velg en post i hovedvinduet først.</translation>
    </message>
    <message>
        <source>not answered, not kept: “{question}”</source>
        <translation>ikke besvart, ikke tatt vare på: «{question}»</translation>
    </message>
    <message>
        <source>Not applied: {reason}</source>
        <translation>Ikke lagt til: {reason}</translation>
    </message>
    <message>
        <source>Queued as a note on {record}: it is in the outbox.</source>
        <translation>Lagt i kø som notat på {record}: det ligger i utboksen.</translation>
    </message>
</context>
<context>
    <name>Notify</name>
    <message>
        <source>message</source>
        <extracomment>Notification kinds that follow a per-entity toggle of ``settings.notify``. Per entity or write kind: (one, many, &quot;a ...&quot;), source texts translated where shown.</extracomment>
        <translation>melding</translation>
    </message>
    <message>
        <source>messages</source>
        <translation>meldinger</translation>
    </message>
    <message>
        <source>a message</source>
        <translation>en melding</translation>
    </message>
    <message>
        <source>customer</source>
        <translation>kunde</translation>
    </message>
    <message>
        <source>customers</source>
        <translation>kunder</translation>
    </message>
    <message>
        <source>a customer</source>
        <translation>en kunde</translation>
    </message>
    <message>
        <source>calendar event</source>
        <translation>kalenderhendelse</translation>
    </message>
    <message>
        <source>calendar events</source>
        <translation>kalenderhendelser</translation>
    </message>
    <message>
        <source>a calendar event</source>
        <translation>en kalenderhendelse</translation>
    </message>
    <message>
        <source>task</source>
        <translation>oppgave</translation>
    </message>
    <message>
        <source>tasks</source>
        <translation>oppgaver</translation>
    </message>
    <message>
        <source>a task</source>
        <translation>en oppgave</translation>
    </message>
    <message>
        <source>deal</source>
        <translation>avtale</translation>
    </message>
    <message>
        <source>deals</source>
        <translation>avtaler</translation>
    </message>
    <message>
        <source>a deal</source>
        <translation>en avtale</translation>
    </message>
    <message>
        <source>ticket</source>
        <translation>sak</translation>
    </message>
    <message>
        <source>tickets</source>
        <translation>saker</translation>
    </message>
    <message>
        <source>a ticket</source>
        <translation>en sak</translation>
    </message>
    <message>
        <source>meeting</source>
        <translation>møte</translation>
    </message>
    <message>
        <source>meetings</source>
        <translation>møter</translation>
    </message>
    <message>
        <source>a meeting</source>
        <translation>et møte</translation>
    </message>
    <message>
        <source>e-mail draft</source>
        <translation>e-postutkast</translation>
    </message>
    <message>
        <source>e-mail drafts</source>
        <translation>e-postutkast</translation>
    </message>
    <message>
        <source>an e-mail draft</source>
        <translation>et e-postutkast</translation>
    </message>
    <message>
        <source>write</source>
        <translation>endring</translation>
    </message>
    <message>
        <source>writes</source>
        <translation>endringer</translation>
    </message>
    <message>
        <source>a write</source>
        <translation>en endring</translation>
    </message>
    <message>
        <source>{n} new</source>
        <extracomment>At most ``BURST`` notifications per ``WINDOW_MS``; the rest are counted and said with the next one.</extracomment>
        <translation>{n} nye</translation>
    </message>
    <message>
        <source>{n} updated</source>
        <translation>{n} oppdatert</translation>
    </message>
    <message>
        <source>changed</source>
        <translation>endret</translation>
    </message>
    <message>
        <source>Click to open it.</source>
        <translation>Klikk for å åpne.</translation>
    </message>
    <message>
        <source>Click to see them.</source>
        <translation>Klikk for å se dem.</translation>
    </message>
    <message>
        <source>1 record synced</source>
        <translation>1 post synkronisert</translation>
    </message>
    <message>
        <source>{n} records synced</source>
        <translation>{n} poster synkronisert</translation>
    </message>
    <message>
        <source>Conflict on {what}</source>
        <translation>Konflikt: {what}</translation>
    </message>
    <message>
        <source>Someone changed this {noun} on the server while you were offline. Open it to keep yours or the server&apos;s.</source>
        <translation>Noen endret dette på serveren mens du var frakoblet. Åpne det for å beholde din eller serverens versjon.</translation>
    </message>
    <message>
        <source>Could not save {what}</source>
        <translation>Kunne ikke lagre {what}</translation>
    </message>
    <message>
        <source>The server refused the change: {reason}. It waits in the outbox: retry or discard it.</source>
        <translation>Serveren avviste endringen: {reason}. Den venter i utboksen: prøv igjen eller forkast den.</translation>
    </message>
    <message>
        <source>Sign in again to keep syncing; your changes wait in the outbox.</source>
        <translation>Logg inn igjen for å fortsette synkroniseringen; endringene dine venter i utboksen.</translation>
    </message>
    <message>
        <source>Your WorkBuoy session has expired</source>
        <translation>WorkBuoy-økten din er utløpt</translation>
    </message>
    <message>
        <source>1 write has not reached the server yet</source>
        <translation>1 endring har ikke nådd serveren ennå</translation>
    </message>
    <message>
        <source>{n} writes have not reached the server yet</source>
        <translation>{n} endringer har ikke nådd serveren ennå</translation>
    </message>
    <message>
        <source>Still retrying; last error: {error}</source>
        <translation>Prøver fortsatt; siste feil: {error}</translation>
    </message>
    <message>
        <source>Still waiting to be sent.</source>
        <translation>Venter fortsatt på å bli sendt.</translation>
    </message>
    <message>
        <source>(and {n} more held back)</source>
        <translation>(og {n} til holdt tilbake)</translation>
    </message>
    <message>
        <source>Open in the browser</source>
        <translation>Åpne i nettleseren</translation>
    </message>
</context>
<context>
    <name>Plugins</name>
    <message>
        <source>Plugins</source>
        <translation>Programtillegg</translation>
    </message>
    <message>
        <source>Check again</source>
        <translation>Sjekk på nytt</translation>
    </message>
    <message>
        <source>{plugin} (enabled)</source>
        <translation>{plugin} (aktivert)</translation>
    </message>
    <message>
        <source>verified</source>
        <translation>verifisert</translation>
    </message>
</context>
<context>
    <name>Portal</name>
    <message>
        <source>Qt WebEngine is not available ({reason}): the portal opened in the system browser</source>
        <translation>Qt WebEngine er ikke tilgjengelig ({reason}): portalen ble åpnet i systemets nettleser</translation>
    </message>
    <message>
        <source>Qt WebEngine is not available ({reason}) and the system browser did not start</source>
        <translation>Qt WebEngine er ikke tilgjengelig ({reason}), og systemets nettleser startet ikke</translation>
    </message>
    <message>
        <source>WorkBuoy portal</source>
        <translation>WorkBuoy-portalen</translation>
    </message>
    <message>
        <source>{page} - WorkBuoy portal</source>
        <translation>{page} - WorkBuoy-portalen</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>Deals</source>
        <translation>Avtaler</translation>
    </message>
    <message>
        <source>Tickets</source>
        <translation>Saker</translation>
    </message>
    <message>
        <source>Meetings</source>
        <translation>Møter</translation>
    </message>
    <message>
        <source>Start at login</source>
        <translation>Start ved innlogging</translation>
    </message>
    <message>
        <source>Desktop notifications</source>
        <translation>Skrivebordsvarsler</translation>
    </message>
    <message>
        <source>Sync every (seconds)</source>
        <translation>Synkroniser hvert (sekunder)</translation>
    </message>
    <message>
        <source>Portal address</source>
        <translation>Portaladresse</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Versjon</translation>
    </message>
    <message>
        <source>Rows per sync page</source>
        <translation>Rader per synkroniseringsside</translation>
    </message>
    <message>
        <source>Prefer a bearer token</source>
        <translation>Foretrekk bærertoken</translation>
    </message>
    <message>
        <source>Hosts whose links open in the browser (comma-separated)</source>
        <translation>Verter der lenker åpnes i nettleseren (kommaseparert)</translation>
    </message>
    <message>
        <source>Wipe the offline copy on sign-out</source>
        <translation>Slett frakoblet kopi ved utlogging</translation>
    </message>
    <message>
        <source>Check for updates every (minutes)</source>
        <translation>Se etter oppdateringer hvert (minutter)</translation>
    </message>
    <message>
        <source>Notify me about</source>
        <translation>Varsle meg om</translation>
    </message>
    <message>
        <source>Longest wait between retries of a write (seconds)</source>
        <translation>Lengste ventetid mellom nye forsøk på en endring (sekunder)</translation>
    </message>
    <message>
        <source>Tell me when a write waits longer than (seconds)</source>
        <translation>Si fra når en endring venter lenger enn (sekunder)</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Utseende</translation>
    </message>
    <message>
        <source>Language (after a restart)</source>
        <translation>Språk (etter omstart)</translation>
    </message>
    <message>
        <source>Mini-Buoy shortcut (empty: none)</source>
        <translation>Hurtigtast for Mini-Buoy (tom: ingen)</translation>
    </message>
    <message>
        <source>General</source>
        <extracomment>Top-level fields per section; a field not named here goes to Advanced, so none is ever hidden.</extracomment>
        <translation>Generelt</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Varsler</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Synkronisering</translation>
    </message>
    <message>
        <source>Advanced</source>
        <translation>Avansert</translation>
    </message>
    <message>
        <source>As the system</source>
        <translation>Som systemet</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Lyst</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Mørkt</translation>
    </message>
    <message>
        <source>{label} must be at least {n}.</source>
        <extracomment>msgspec&apos;s wording → a sentence about the field (``{label}``, and ``{n}`` where the rule has a number).</extracomment>
        <translation>{label} må være minst {n}.</translation>
    </message>
    <message>
        <source>{label} must be at most {n}.</source>
        <translation>{label} kan være høyst {n}.</translation>
    </message>
    <message>
        <source>{label} is not in the expected form.</source>
        <translation>{label} har ikke riktig form.</translation>
    </message>
    <message>
        <source>{label} is too long (at most {n}).</source>
        <translation>{label} er for lang (høyst {n}).</translation>
    </message>
    <message>
        <source>{label} must not be empty.</source>
        <translation>{label} kan ikke være tom.</translation>
    </message>
    <message>
        <source>{label} is not one of the choices.</source>
        <translation>{label} er ikke et av valgene.</translation>
    </message>
    <message>
        <source>A setting</source>
        <translation>En innstilling</translation>
    </message>
    <message>
        <source>{label} (entry {n})</source>
        <translation>{label} (oppføring {n})</translation>
    </message>
    <message>
        <source>WorkBuoy settings</source>
        <translation>WorkBuoy-innstillinger</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lagre</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>Angre</translation>
    </message>
    <message>
        <source>set by the environment for this run (a WB_* variable)</source>
        <translation>satt av miljøet for denne kjøringen (en WB_*-variabel)</translation>
    </message>
    <message>
        <source>{label} (set by the environment)</source>
        <translation>{label} (satt av miljøet)</translation>
    </message>
    <message>
        <source>Nothing changed.</source>
        <translation>Ingenting er endret.</translation>
    </message>
    <message>
        <source>Saved. You are signed out of the old portal.</source>
        <translation>Lagret. Du er logget ut av den gamle portalen.</translation>
    </message>
    <message>
        <source>Saved. The new language applies when WorkBuoy next starts.</source>
        <translation>Lagret. Det nye språket brukes neste gang WorkBuoy starter.</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Lagret.</translation>
    </message>
    <message>
        <source>Change the portal address?</source>
        <translation>Endre portaladressen?</translation>
    </message>
    <message>
        <source>WorkBuoy will sign you out and use {origin} from now on.</source>
        <translation>WorkBuoy logger deg ut og bruker {origin} fra nå av.</translation>
    </message>
    <message>
        <source>The portal address was not changed.</source>
        <translation>Portaladressen ble ikke endret.</translation>
    </message>
</context>
<context>
    <name>SignIn</name>
    <message>
        <source>Sign in to WorkBuoy</source>
        <extracomment>The English title: tests and scripts find the window by it (they run in English).</extracomment>
        <translation>Logg inn på WorkBuoy</translation>
    </message>
    <message>
        <source>Wrong e-mail or password.</source>
        <translation>Feil e-postadresse eller passord.</translation>
    </message>
    <message>
        <source>Cannot reach the portal at {origin}. Check the address and your connection, then try again.</source>
        <translation>Får ikke kontakt med portalen på {origin}. Sjekk adressen og nettforbindelsen, og prøv igjen.</translation>
    </message>
    <message>
        <source>{reason}. No usable keyring: start your desktop&apos;s keyring (GNOME Keyring, KWallet), or on a server set WB_KEYRING_BACKEND=file with WB_KEYRING_KEY.</source>
        <translation>{reason}. Fant ingen nøkkelring som kan brukes: start skrivebordets nøkkelring (GNOME Keyring, KWallet), eller sett WB_KEYRING_BACKEND=file med WB_KEYRING_KEY på en server.</translation>
    </message>
    <message>
        <source>Your CRM offline: sign in once, WorkBuoy keeps a copy in sync.</source>
        <translation>CRM-et ditt uten nett: logg inn én gang, så holder WorkBuoy en kopi synkronisert.</translation>
    </message>
    <message>
        <source>you@company.com</source>
        <translation>deg@firma.no</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>E-post</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passord</translation>
    </message>
    <message>
        <source>Portal address</source>
        <translation>Portaladresse</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Logg inn</translation>
    </message>
    <message>
        <source>set by the environment (WB_PORTAL_BASE_URL)</source>
        <translation>satt av miljøet (WB_PORTAL_BASE_URL)</translation>
    </message>
    <message>
        <source>change it in Settings (signs you out)</source>
        <translation>endres i Innstillinger (logger deg ut)</translation>
    </message>
    <message>
        <source>Enter your e-mail and password.</source>
        <translation>Skriv inn e-postadresse og passord.</translation>
    </message>
    <message>
        <source>Signing in at {origin}…</source>
        <translation>Logger inn på {origin} …</translation>
    </message>
    <message>
        <source>The portal address is not valid: {reason}</source>
        <translation>Portaladressen er ikke gyldig: {reason}</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <source>just now</source>
        <extracomment>&quot;Last synced 2 min ago&quot; must age while nobody sends an event.</extracomment>
        <translation>akkurat nå</translation>
    </message>
    <message>
        <source>{n} min ago</source>
        <translation>for {n} min siden</translation>
    </message>
    <message>
        <source>{n} h ago</source>
        <translation>for {n} t siden</translation>
    </message>
    <message>
        <source>yesterday</source>
        <translation>i går</translation>
    </message>
    <message>
        <source>{n} days ago</source>
        <translation>for {n} dager siden</translation>
    </message>
    <message>
        <source>the server could not be reached</source>
        <translation>serveren kunne ikke nås</translation>
    </message>
    <message>
        <source>the disk refused the offline copy</source>
        <translation>disken avviste den frakoblede kopien</translation>
    </message>
    <message>
        <source>the session is no longer valid</source>
        <translation>økten er ikke lenger gyldig</translation>
    </message>
    <message>
        <source>the server answered with an error</source>
        <translation>serveren svarte med en feil</translation>
    </message>
    <message>
        <source>the server refused access</source>
        <translation>serveren nektet tilgang</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>ingen grunn oppgitt</translation>
    </message>
    <message>
        <source>Signed in as {email}</source>
        <translation>Logget inn som {email}</translation>
    </message>
    <message>
        <source>Sign-in problem: {reason}</source>
        <translation>Innloggingsproblem: {reason}</translation>
    </message>
    <message>
        <source>Session expired: sign in again</source>
        <translation>Økten er utløpt: logg inn igjen</translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation>Ikke logget inn</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>Tilkoblet</translation>
    </message>
    <message>
        <source>Offline since {time} — {reason}</source>
        <translation>Frakoblet siden {time} — {reason}</translation>
    </message>
    <message>
        <source>Syncing… (starting)</source>
        <translation>Synkroniserer … (starter)</translation>
    </message>
    <message>
        <source>Syncing… ({entity}, {rows} rows)</source>
        <translation>Synkroniserer … ({entity}, {rows} rader)</translation>
    </message>
    <message>
        <source>Sync failed: {reason}</source>
        <translation>Synkroniseringen mislyktes: {reason}</translation>
    </message>
    <message>
        <source>Sync failed: {reason} (last synced {when})</source>
        <translation>Synkroniseringen mislyktes: {reason} (sist synkronisert {when})</translation>
    </message>
    <message>
        <source>Last synced {when}; {names} failed: {reason}</source>
        <translation>Sist synkronisert {when}; {names} mislyktes: {reason}</translation>
    </message>
    <message>
        <source>Last synced {when}</source>
        <translation>Sist synkronisert {when}</translation>
    </message>
    <message>
        <source>Not synced yet</source>
        <translation>Ikke synkronisert ennå</translation>
    </message>
    <message>
        <source>No writes waiting</source>
        <translation>Ingen endringer venter</translation>
    </message>
    <message>
        <source>1 write waiting</source>
        <translation>1 endring venter</translation>
    </message>
    <message>
        <source>{n} writes waiting</source>
        <translation>{n} endringer venter</translation>
    </message>
    <message>
        <source>{writes}, {n} failed</source>
        <translation>{writes}, {n} mislyktes</translation>
    </message>
    <message>
        <source>Account</source>
        <extracomment>(light palette, dark palette) per tone; &quot;busy&quot; and &quot;ok&quot; keep the palette&apos;s own text colour but ok is green.</extracomment>
        <translation>Konto</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Last sync</source>
        <translation>Siste synkronisering</translation>
    </message>
    <message>
        <source>Writes waiting</source>
        <translation>Endringer som venter</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <source>Sign in…</source>
        <extracomment>Signed in but offline, or the last sync failed: the ring turns amber, not green.</extracomment>
        <translation>Logg inn …</translation>
    </message>
    <message>
        <source>Open WorkBuoy</source>
        <translation>Åpne WorkBuoy</translation>
    </message>
    <message>
        <source>Open portal</source>
        <translation>Åpne portalen</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Synkroniser nå</translation>
    </message>
    <message>
        <source>Mini-Buoy</source>
        <translation>Mini-Buoy</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Innstillinger …</translation>
    </message>
    <message>
        <source>Sign out</source>
        <extracomment>Where the update entries go (``updates.UpdateEntries``, made by the actor: they call the bus).</extracomment>
        <translation>Logg ut</translation>
    </message>
    <message>
        <source>Quit WorkBuoy (stop the node)</source>
        <translation>Avslutt WorkBuoy (stopp noden)</translation>
    </message>
    <message>
        <source>Sync not started: {reason}</source>
        <translation>Synkroniseringen startet ikke: {reason}</translation>
    </message>
    <message>
        <source>Syncing already</source>
        <translation>Synkroniserer allerede</translation>
    </message>
    <message>
        <source>Sync started</source>
        <translation>Synkroniseringen har startet</translation>
    </message>
    <message>
        <source>Could not stop the node: {reason}</source>
        <translation>Kunne ikke stoppe noden: {reason}</translation>
    </message>
    <message>
        <source>Sign-out incomplete: {reason}</source>
        <translation>Utloggingen ble ikke fullført: {reason}</translation>
    </message>
    <message>
        <source>The portal window is not available ({reason}): the portal opened in the system browser.</source>
        <translation>Portalvinduet er ikke tilgjengelig ({reason}): portalen ble åpnet i systemets nettleser.</translation>
    </message>
    <message>
        <source>Portal opened in your browser</source>
        <translation>Portalen ble åpnet i nettleseren din</translation>
    </message>
</context>
<context>
    <name>Updates</name>
    <message>
        <source>Downloading {version}: {size} MB</source>
        <translation>Laster ned {version}: {size} MB</translation>
    </message>
    <message>
        <source>the update</source>
        <translation>oppdateringen</translation>
    </message>
    <message>
        <source>Checking for updates…</source>
        <translation>Ser etter oppdateringer …</translation>
    </message>
    <message>
        <source>Up to date ({current})</source>
        <translation>Oppdatert ({current})</translation>
    </message>
    <message>
        <source>Version {version} verified, ready to install</source>
        <translation>Versjon {version} er verifisert og klar til å installeres</translation>
    </message>
    <message>
        <source>Version {version} is available ({detail})</source>
        <translation>Versjon {version} er tilgjengelig ({detail})</translation>
    </message>
    <message>
        <source>Update refused: {reason} ({detail})</source>
        <translation>Oppdateringen ble avvist: {reason} ({detail})</translation>
    </message>
    <message>
        <source>Update check failed: {detail}</source>
        <translation>Kunne ikke se etter oppdateringer: {detail}</translation>
    </message>
    <message>
        <source>Updated to {current}</source>
        <translation>Oppdatert til {current}</translation>
    </message>
    <message>
        <source>Update rolled back: {detail}</source>
        <translation>Oppdateringen ble rullet tilbake: {detail}</translation>
    </message>
    <message>
        <source>Version {current}</source>
        <translation>Versjon {current}</translation>
    </message>
    <message>
        <source>Updates: not checked yet</source>
        <translation>Oppdateringer: ikke sjekket ennå</translation>
    </message>
    <message>
        <source>Check for updates</source>
        <translation>Se etter oppdateringer</translation>
    </message>
    <message>
        <source>Restart to update</source>
        <translation>Start på nytt for å oppdatere</translation>
    </message>
    <message>
        <source>Restart to update to {version}</source>
        <translation>Start på nytt for å oppdatere til {version}</translation>
    </message>
    <message>
        <source>WorkBuoy {version} is ready</source>
        <translation>WorkBuoy {version} er klar</translation>
    </message>
    <message>
        <source>Choose “{entry}” in the tray menu.</source>
        <translation>Velg «{entry}» i systemstatusfeltet.</translation>
    </message>
    <message>
        <source>Restarting into the new version…</source>
        <translation>Starter på nytt med den nye versjonen …</translation>
    </message>
    <message>
        <source>Updates: {reason}</source>
        <translation>Oppdateringer: {reason}</translation>
    </message>
</context>
</TS>
