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
    <name>ConflictView</name>
    <message>
        <source>Field</source>
        <extracomment>Tints of a row by who changed it, (the server, both differently), on a light and a dark palette.</extracomment>
        <translation>Felt</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>Før</translation>
    </message>
    <message>
        <source>Mine</source>
        <translation>Min</translation>
    </message>
    <message>
        <source>Server&apos;s</source>
        <translation>Serverens</translation>
    </message>
    <message>
        <source>record</source>
        <translation>post</translation>
    </message>
    <message>
        <source>This {thing} was deleted on the server while you were offline.</source>
        <translation>Dette ble slettet på serveren mens du var frakoblet.</translation>
    </message>
    <message>
        <source>Someone changed this {thing} on the server after you deleted it offline.</source>
        <translation>Noen endret dette på serveren etter at du slettet det frakoblet.</translation>
    </message>
    <message>
        <source>Someone changed this {thing} on the server while you were offline.</source>
        <translation>Noen endret dette på serveren mens du var frakoblet.</translation>
    </message>
    <message>
        <source>Mine and the server&apos;s version, field by field</source>
        <translation>Min og serverens versjon, felt for felt</translation>
    </message>
    <message>
        <source>Keep mine</source>
        <translation>Behold min</translation>
    </message>
    <message>
        <source>Keep server&apos;s</source>
        <translation>Behold serverens</translation>
    </message>
    <message>
        <source>Merge ticked fields</source>
        <translation>Slå sammen avkryssede felt</translation>
    </message>
    <message>
        <source>Keep my version and send it again</source>
        <translation>Behold min versjon og send den på nytt</translation>
    </message>
    <message>
        <source>Keep the server&apos;s version and drop my change</source>
        <translation>Behold serverens versjon og forkast endringen min</translation>
    </message>
    <message>
        <source>Keep the server&apos;s version with the ticked fields of mine</source>
        <translation>Behold serverens versjon med mine avkryssede felt</translation>
    </message>
    <message>
        <source>Compare the two and keep the right one.</source>
        <translation>Sammenlign de to og behold den riktige.</translation>
    </message>
</context>
<context>
    <name>Editors</name>
    <message>
        <source>{field}: {typed} is not a number</source>
        <translation>{field}: {typed} er ikke et tall</translation>
    </message>
</context>
<context>
    <name>EntityView</name>
    <message>
        <source>Search {many}… (Ctrl+F)</source>
        <extracomment>Where a view starts: appointments by start, upcoming ones; messages newest received first. What the user is looking at, for the window title: &quot;Deal name — Pending&quot;, or &quot;&quot; for no record.</extracomment>
        <translation>Søk i {many}… (Ctrl+F)</translation>
    </message>
    <message>
        <source>Search {many}</source>
        <translation>Søk i {many}</translation>
    </message>
    <message>
        <source>Conflicts only</source>
        <translation>Bare konflikter</translation>
    </message>
    <message>
        <source>Show only {many} with a conflict</source>
        <translation>Vis bare {many} med konflikt</translation>
    </message>
    <message>
        <source>{name} table</source>
        <translation>Tabell: {name}</translation>
    </message>
    <message>
        <source>Saved; the record is not among the rows shown ({count})</source>
        <translation>Lagret; posten er ikke blant radene som vises ({count})</translation>
    </message>
    <message>
        <source>{column} cannot be sorted.</source>
        <translation>{column} kan ikke sorteres.</translation>
    </message>
    <message>
        <source>No {many} match &quot;{query}&quot;.</source>
        <translation>Ingen {many} samsvarer med «{query}».</translation>
    </message>
    <message>
        <source>No {many} with a conflict.</source>
        <translation>Ingen {many} med konflikt.</translation>
    </message>
    <message>
        <source>No upcoming {many} in the offline copy yet.</source>
        <translation>Ingen kommende {many} i den frakoblede kopien ennå.</translation>
    </message>
    <message>
        <source>No {many} in the offline copy yet.</source>
        <translation>Ingen {many} i den frakoblede kopien ennå.</translation>
    </message>
    <message>
        <source>They appear after the next sync, or create one with &quot;{new}&quot; (Ctrl+N).</source>
        <translation>De dukker opp etter neste synkronisering, eller opprett en med «{new}» (Ctrl+N).</translation>
    </message>
</context>
<context>
    <name>Formats</name>
    <message>
        <source>deal</source>
        <extracomment>What one and several records of an entity are called (&quot;1 deal&quot;, &quot;12 upcoming events&quot;).</extracomment>
        <translation>avtale</translation>
    </message>
    <message>
        <source>deals</source>
        <translation>avtaler</translation>
    </message>
    <message>
        <source>event</source>
        <translation>hendelse</translation>
    </message>
    <message>
        <source>events</source>
        <translation>hendelser</translation>
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
        <source>message</source>
        <translation>melding</translation>
    </message>
    <message>
        <source>messages</source>
        <translation>meldinger</translation>
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
        <source>task</source>
        <translation>oppgave</translation>
    </message>
    <message>
        <source>tasks</source>
        <translation>oppgaver</translation>
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
        <source>create</source>
        <extracomment>What a write does, in the outbox and a workflow&apos;s steps.</extracomment>
        <translation>opprett</translation>
    </message>
    <message>
        <source>update</source>
        <translation>oppdater</translation>
    </message>
    <message>
        <source>delete</source>
        <translation>slett</translation>
    </message>
    <message>
        <source>send</source>
        <translation>send</translation>
    </message>
    <message>
        <source>{n} {noun}</source>
        <extracomment>A count&apos;s wording by (adjective, out of a total): the noun agrees with the total when there is one.</extracomment>
        <translation>{n} {noun}</translation>
    </message>
    <message>
        <source>{n} matching {noun}</source>
        <translation>{n} {noun} som samsvarer</translation>
    </message>
    <message>
        <source>{n} upcoming {noun}</source>
        <translation>{n} kommende {noun}</translation>
    </message>
    <message>
        <source>{n} of {total} {noun}</source>
        <translation>{n} av {total} {noun}</translation>
    </message>
    <message>
        <source>{n} of {total} matching {noun}</source>
        <translation>{n} av {total} {noun} som samsvarer</translation>
    </message>
    <message>
        <source>{n} of {total} upcoming {noun}</source>
        <translation>{n} av {total} kommende {noun}</translation>
    </message>
    <message>
        <source>Name</source>
        <extracomment>The field that names a record (a conflict, the record pane&apos;s title). Headings of the portal&apos;s fields; another field reads as its name in words.</extracomment>
        <translation>Navn</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>Firma</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>Fase</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Beløp</translation>
    </message>
    <message>
        <source>Currency</source>
        <translation>Valuta</translation>
    </message>
    <message>
        <source>Close date</source>
        <translation>Lukkedato</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>Eier</translation>
    </message>
    <message>
        <source>Starts</source>
        <translation>Starter</translation>
    </message>
    <message>
        <source>Ends</source>
        <translation>Slutter</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Tittel</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Sted</translation>
    </message>
    <message>
        <source>Attendees</source>
        <translation>Deltakere</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Fra</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Til</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Emne</translation>
    </message>
    <message>
        <source>Body</source>
        <translation>Tekst</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>Mappe</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Mottatt</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Lest</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>E-post</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Telefon</translation>
    </message>
    <message>
        <source>City</source>
        <translation>Sted</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Frist</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Prioritet</translation>
    </message>
    <message>
        <source>Assignee</source>
        <translation>Ansvarlig</translation>
    </message>
    <message>
        <source>Requester</source>
        <translation>Innmelder</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Updated at</source>
        <translation>Oppdatert</translation>
    </message>
    <message>
        <source>Created at</source>
        <translation>Opprettet</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Tilstand</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>Post</translation>
    </message>
    <message>
        <source>Entity</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Op</source>
        <translation>Handling</translation>
    </message>
    <message>
        <source>Prospecting</source>
        <extracomment>Labels of the portal&apos;s enumerated values (stages, statuses, priorities, folders).</extracomment>
        <translation>Prospektering</translation>
    </message>
    <message>
        <source>Qualification</source>
        <translation>Kvalifisering</translation>
    </message>
    <message>
        <source>Proposal</source>
        <translation>Tilbud</translation>
    </message>
    <message>
        <source>Negotiation</source>
        <translation>Forhandling</translation>
    </message>
    <message>
        <source>Won</source>
        <translation>Vunnet</translation>
    </message>
    <message>
        <source>Lost</source>
        <translation>Tapt</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>Lav</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>Normal</translation>
    </message>
    <message>
        <source>High</source>
        <translation>Høy</translation>
    </message>
    <message>
        <source>Urgent</source>
        <translation>Haster</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Ny</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Åpen</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Venter</translation>
    </message>
    <message>
        <source>Solved</source>
        <translation>Løst</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Lukket</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>Pågår</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Ferdig</translation>
    </message>
    <message>
        <source>Lead</source>
        <translation>Lead</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Churned</source>
        <translation>Tapt kunde</translation>
    </message>
    <message>
        <source>Inbox</source>
        <translation>Innboks</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Sendt</translation>
    </message>
    <message>
        <source>Deals</source>
        <extracomment>The tab&apos;s name and the &quot;New …&quot; button per entity (the noun&apos;s gender varies in Bokmål: &quot;Nytt møte&quot;).</extracomment>
        <translation>Avtaler</translation>
    </message>
    <message>
        <source>Calendar</source>
        <translation>Kalender</translation>
    </message>
    <message>
        <source>Meetings</source>
        <translation>Møter</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Innboks</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>Kunder</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>Oppgaver</translation>
    </message>
    <message>
        <source>Tickets</source>
        <translation>Saker</translation>
    </message>
    <message>
        <source>New deal</source>
        <translation>Ny avtale</translation>
    </message>
    <message>
        <source>New event</source>
        <translation>Ny hendelse</translation>
    </message>
    <message>
        <source>New meeting</source>
        <translation>Nytt møte</translation>
    </message>
    <message>
        <source>New message</source>
        <translation>Ny melding</translation>
    </message>
    <message>
        <source>New customer</source>
        <translation>Ny kunde</translation>
    </message>
    <message>
        <source>New task</source>
        <translation>Ny oppgave</translation>
    </message>
    <message>
        <source>New ticket</source>
        <translation>Ny sak</translation>
    </message>
    <message>
        <source>Yes</source>
        <extracomment>Fields with a fixed set of values (the portal&apos;s), edited with a list of their labels. Fields never shown (the org picker already says which org) or not meant for people.</extracomment>
        <translation>Ja</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Nei</translation>
    </message>
    <message>
        <source>this record</source>
        <translation>denne posten</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Organisation</source>
        <translation>Organisasjon</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>Last inn på nytt</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Innstillinger …</translation>
    </message>
    <message>
        <source>Settings (Ctrl+,)</source>
        <translation>Innstillinger (Ctrl+,)</translation>
    </message>
    <message>
        <source>Outbox</source>
        <translation>Utboks</translation>
    </message>
    <message>
        <source>You are not signed in: sign in to fill the offline copy.</source>
        <translation>Du er ikke logget inn: logg inn for å fylle den frakoblede kopien.</translation>
    </message>
    <message>
        <source>Sign in…</source>
        <translation>Logg inn…</translation>
    </message>
    <message>
        <source>No organisations yet: sign in, then the first sync fills this window.</source>
        <translation>Ingen organisasjoner ennå: logg inn, så fyller den første synkroniseringen dette vinduet.</translation>
    </message>
    <message>
        <source>{entity}/{id} is not in the offline copy (yet): sync, then try again</source>
        <translation>{entity}/{id} finnes ikke i den frakoblede kopien (ennå): synkroniser og prøv igjen</translation>
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
    <name>QueueView</name>
    <message>
        <source>All</source>
        <extracomment>Filter label -&gt; the ``wb:queue:list`` status it asks for (conflicts are failed writes, filtered here).</extracomment>
        <translation>Alle</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Venter</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Sendes</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Mislyktes</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>Konflikter</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Sendt</translation>
    </message>
    <message>
        <source>waiting</source>
        <extracomment>How the status line names a filtered list (&quot;12 writes (failed)&quot;).</extracomment>
        <translation>venter</translation>
    </message>
    <message>
        <source>sending</source>
        <translation>sendes</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>mislyktes</translation>
    </message>
    <message>
        <source>conflicts</source>
        <translation>konflikter</translation>
    </message>
    <message>
        <source>sent</source>
        <translation>sendt</translation>
    </message>
    <message>
        <source>The server refused this write: {reason}</source>
        <translation>Serveren avviste denne endringen: {reason}</translation>
    </message>
    <message>
        <source>Failed: {reason}</source>
        <translation>Mislyktes: {reason}</translation>
    </message>
    <message>
        <source>no reason recorded</source>
        <translation>ingen årsak registrert</translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation>Venter på å bli sendt</translation>
    </message>
    <message>
        <source>, last: {error}</source>
        <translation>, sist: {error}</translation>
    </message>
    <message>
        <source>now</source>
        <translation>nå</translation>
    </message>
    <message>
        <source>in {minutes} min</source>
        <translation>om {minutes} min</translation>
    </message>
    <message>
        <source>Retrying: {n} attempts, next {when}, last: {error}</source>
        <translation>Prøver igjen: {n} forsøk, neste {when}, sist: {error}</translation>
    </message>
    <message>
        <source>Show writes</source>
        <translation>Vis endringer</translation>
    </message>
    <message>
        <source>Outbox</source>
        <translation>Utboks</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Prøv igjen</translation>
    </message>
    <message>
        <source>Send the selected failed write again</source>
        <translation>Send den valgte mislykkede endringen på nytt</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Forkast</translation>
    </message>
    <message>
        <source>Drop the selected failed write and undo it in the offline copy</source>
        <translation>Forkast den valgte mislykkede endringen og angre den i den frakoblede kopien</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Vis</translation>
    </message>
    <message>
        <source>{n} waiting to be sent</source>
        <translation>{n} venter på å bli sendt</translation>
    </message>
    <message>
        <source>Nothing waiting to be sent</source>
        <translation>Ingenting venter på å bli sendt</translation>
    </message>
    <message>
        <source>{n} failed or in conflict</source>
        <translation>{n} mislyktes eller i konflikt</translation>
    </message>
    <message>
        <source>No writes</source>
        <translation>Ingen endringer</translation>
    </message>
    <message>
        <source>1 write</source>
        <translation>1 endring</translation>
    </message>
    <message>
        <source>{n} writes</source>
        <translation>{n} endringer</translation>
    </message>
    <message>
        <source>merged: the server&apos;s version with your ticked fields</source>
        <translation>slått sammen: serverens versjon med dine avkryssede felt</translation>
    </message>
    <message>
        <source>“{record}” will be sent again.</source>
        <translation>«{record}» sendes på nytt.</translation>
    </message>
    <message>
        <source>Write to “{record}” discarded; the record is back as it was.</source>
        <translation>Endringen av «{record}» er forkastet; posten er som før.</translation>
    </message>
    <message>
        <source>your version will be sent again</source>
        <translation>din versjon sendes på nytt</translation>
    </message>
    <message>
        <source>the server&apos;s version kept</source>
        <translation>serverens versjon er beholdt</translation>
    </message>
    <message>
        <source>Conflict on “{record}” settled: {what}.</source>
        <translation>Konflikten om «{record}» er løst: {what}.</translation>
    </message>
</context>
<context>
    <name>RecordActions</name>
    <message>
        <source>Follow up</source>
        <translation>Følg opp</translation>
    </message>
    <message>
        <source>Schedule a meeting</source>
        <translation>Avtal et møte</translation>
    </message>
    <message>
        <source>Close the deal</source>
        <translation>Lukk avtalen</translation>
    </message>
    <message>
        <source>Escalate the ticket</source>
        <translation>Eskaler saken</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>venter</translation>
    </message>
    <message>
        <source>sending</source>
        <translation>sendes</translation>
    </message>
    <message>
        <source>done</source>
        <translation>ferdig</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>mislyktes</translation>
    </message>
    <message>
        <source>Draft e-mail</source>
        <translation>Skriv e-postutkast</translation>
    </message>
    <message>
        <source>Create event</source>
        <translation>Opprett hendelse</translation>
    </message>
    <message>
        <source>Workflow</source>
        <translation>Arbeidsflyt</translation>
    </message>
    <message>
        <source>Run workflow</source>
        <translation>Kjør arbeidsflyt</translation>
    </message>
    <message>
        <source>Workflow steps</source>
        <translation>Steg i arbeidsflyten</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>Assistent</translation>
    </message>
    <message>
        <source>your role does not allow this</source>
        <translation>rollen din tillater ikke dette</translation>
    </message>
    <message>
        <source>This record has no e-mail address to write to.</source>
        <translation>Denne posten har ingen e-postadresse å skrive til.</translation>
    </message>
    <message>
        <source>About {name}</source>
        <translation>Angående {name}</translation>
    </message>
    <message>
        <source>E-mail draft to {to} queued (write {id} in the outbox).</source>
        <translation>E-postutkast til {to} lagt i kø (endring {id} i utboksen).</translation>
    </message>
    <message>
        <source>Meeting: {name}</source>
        <translation>Møte: {name}</translation>
    </message>
    <message>
        <source>Event &quot;{title}&quot; tomorrow queued (write {id} in the outbox).</source>
        <translation>Hendelsen «{title}» i morgen lagt i kø (endring {id} i utboksen).</translation>
    </message>
    <message>
        <source>Asking the assistant for &quot;{what}&quot;…</source>
        <translation>Spør assistenten om «{what}» …</translation>
    </message>
    <message>
        <source>{what}: {n} steps queued.</source>
        <translation>{what}: {n} steg lagt i kø.</translation>
    </message>
</context>
<context>
    <name>RecordPane</name>
    <message>
        <source>Created offline: waiting to be sent (write {id} in the outbox).</source>
        <translation>Opprettet frakoblet: venter på å bli sendt (endring {id} i utboksen).</translation>
    </message>
    <message>
        <source>Saved offline: waiting to be sent (write {id} in the outbox).</source>
        <translation>Lagret frakoblet: venter på å bli sendt (endring {id} i utboksen).</translation>
    </message>
    <message>
        <source>Deleted offline: waiting to be sent (write {id} in the outbox).</source>
        <translation>Slettet frakoblet: venter på å bli sendt (endring {id} i utboksen).</translation>
    </message>
    <message>
        <source>Sent: the server has your change.</source>
        <extracomment>What became of a saved change, once its row&apos;s mark says so (&quot;&quot;: sent).</extracomment>
        <translation>Sendt: serveren har endringen din.</translation>
    </message>
    <message>
        <source>Someone changed this record on the server while you were offline: compare and settle it in the Outbox.</source>
        <translation>Noen endret denne posten på serveren mens du var frakoblet: sammenlign og avgjør i Utboks.</translation>
    </message>
    <message>
        <source>The server refused this change: retry or discard it in the Outbox.</source>
        <translation>Serveren avviste denne endringen: prøv igjen eller forkast den i Utboks.</translation>
    </message>
    <message>
        <source>Nothing selected. Pick a row to see all its fields here, or press Ctrl+N for a new one.</source>
        <translation>Ingenting valgt. Velg en rad for å se alle feltene her, eller trykk Ctrl+N for en ny.</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lagre</translation>
    </message>
    <message>
        <source>Save the changes (sent when online)</source>
        <translation>Lagre endringene (sendes når du er tilkoblet)</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Slett</translation>
    </message>
    <message>
        <source>Delete this record (sent when online)</source>
        <translation>Slett denne posten (sendes når du er tilkoblet)</translation>
    </message>
    <message>
        <source>Open in portal</source>
        <translation>Åpne i portalen</translation>
    </message>
    <message>
        <source>Open this record in the portal</source>
        <translation>Åpne denne posten i portalen</translation>
    </message>
    <message>
        <source>Click again to delete</source>
        <translation>Klikk igjen for å slette</translation>
    </message>
    <message>
        <source>Nothing changed.</source>
        <translation>Ingenting er endret.</translation>
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
        <source>{writes}, 1 conflict to resolve</source>
        <translation>{writes}, 1 konflikt å løse</translation>
    </message>
    <message>
        <source>{writes}, {n} conflicts to resolve</source>
        <translation>{writes}, {n} konflikter å løse</translation>
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
    <name>Tables</name>
    <message>
        <source>Pending</source>
        <translation>Venter</translation>
    </message>
    <message>
        <source>Conflict</source>
        <translation>Konflikt</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Mislyktes</translation>
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
