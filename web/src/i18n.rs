//! Every label of the page in English and Japanese.

use mail_lab_world::{Protocol, WorldError};

/// A language of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ja,
}

impl Lang {
    /// The language for a BCP 47 tag such as `ja-JP` or `en-US`.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.to_ascii_lowercase().starts_with("ja") { Lang::Ja } else { Lang::En }
    }

    /// The tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    /// The other language (for the switch button).
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Ja,
            Lang::Ja => Lang::En,
        }
    }
}

/// Keys of the page's texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    Title,
    Tagline,
    SwitchLanguage,
    Command,
    Terminal,
    Connected,
    Closed,
    State,
    ValidNow,
    Mailbox,
    Empty,
    From,
    Subject,
    Uid,
    NoSubject,
    Transcript,
    OpenTerminal,
    Host,
    Port,
    Message,
    Close,
    Envelope,
    Header,
    EnvelopeNote,
    Route,
    NullReversePath,
    NoRoute,
    Parts,
    Body,
    RawMessage,
    Diagnostics,
    HtmlSandboxed,
    Reset,
    ResetConfirm,
    StorageProblem,
    StartFresh,
    Network,
    Clock,
    AdvanceMinute,
    AdvanceTenMinutes,
    RunUntilIdle,
    Queue,
    QueueEmpty,
    TakeDown,
    BringUp,
    Up,
    Down,
    Timeline,
    Wiretap,
    WiretapNote,
    PasswordInClear,
    DigestOnly,
    ApopBrackets,
    Encrypted,
    MailClient,
    MailClientNote,
    Account,
    To,
    Cc,
    Bcc,
    Send,
    CheckMail,
    Downloaded,
    Lessons,
    LessonsDone,
    Goal,
    Hint,
    Steps,
    GoalReached,
    GoalNotYet,
    EmptyLine,
    NewWorldConfirm,
    Timestamp,
    Password,
    Digest,
    ApopCalculator,
    Prompt,
    Map,
    Address,
    Services,
    Users,
    Policies,
    OpenRelay,
    Folders,
    Flags,
    Expunged,
    ExportMbox,
    ImportMail,
    ExportLab,
    ImportLab,
    ImportLabConfirm,
    WireForm,
    WireNote,
    DownloadEml,
    Terminals,
    SideBySide,
    StuffedByServer,
    AddPane,
    CheckMailImap,
    MoveToTrash,
    Watch,
    StopWatching,
    Pushed,
    ImapInbox,
    Container,
    Octets,
    Projector,
    NextLesson,
    HostSettings,
    Syllabus,
    SyllabusNote,
    SyllabusTopic,
    SyllabusScenario,
    LectureNotes,
    Start,
    AsideNote,
    BackToAside,
    LetAsideGo,
    PutInCommandBox,
    QueueId,
    QueueHost,
    QueueRecipients,
    QueueAttempts,
    QueueNextAttempt,
    QueueLastError,
    TakenDown,
    LegendOpen,
    LegendTls,
    LegendClosed,
    LegendDown,
    LegendRoute,
    LegendDns,
    Views,
    DownloadTranscript,
}

/// "N messages" in `lang`.
pub fn message_count(lang: Lang, n: usize) -> String {
    match (lang, n) {
        (Lang::En, 1) => "1 message".to_string(),
        (Lang::En, n) => format!("{n} messages"),
        (Lang::Ja, n) => format!("{n} 通"),
    }
}

/// The text for `key` in `lang`.
/// The accessible name of a host's "Services & policies" button.
pub fn settings_of(lang: Lang, host: &str) -> String {
    match lang {
        Lang::En => format!("Services and policies of {host}"),
        Lang::Ja => format!("{host} のサービスとポリシー"),
    }
}

/// The colon after a label: full-width in Japanese text.
pub fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ": ",
        Lang::Ja => "：",
    }
}

/// `text (inner)` with the brackets each language uses.
pub fn bracketed(lang: Lang, text: &str, inner: &str) -> String {
    match lang {
        Lang::En => format!("{text} ({inner})"),
        Lang::Ja => format!("{text}（{inner}）"),
    }
}

pub fn t(lang: Lang, key: Text) -> &'static str {
    use Text::*;
    match (lang, key) {
        (Lang::En, Title) => "Mail Lab",
        (Lang::Ja, Title) => "メールラボ",
        (Lang::En, Tagline) => {
            "A whole Internet mail system in your browser: type SMTP yourself and watch the mail arrive."
        }
        (Lang::Ja, Tagline) => {
            "ブラウザの中のインターネットメール。SMTP を自分で打ち込み、メールが届く様子を見てみましょう。"
        }
        (Lang::En, SwitchLanguage) => "日本語で表示",
        (Lang::Ja, SwitchLanguage) => "Show in English",
        (Lang::En, Command) => "Command",
        (Lang::Ja, Command) => "コマンド",
        (Lang::En, Terminal) => "Terminal",
        (Lang::Ja, Terminal) => "端末",
        (Lang::En, Connected) => "connected",
        (Lang::Ja, Connected) => "接続中",
        (Lang::En, Closed) => "connection closed",
        (Lang::Ja, Closed) => "接続は閉じられました",
        (Lang::En, State) => "State",
        (Lang::Ja, State) => "状態",
        (Lang::En, ValidNow) => "valid now",
        (Lang::Ja, ValidNow) => "今使えるコマンド",
        (Lang::En, Mailbox) => "Mailbox",
        (Lang::Ja, Mailbox) => "メールボックス",
        (Lang::En, Empty) => "No messages yet.",
        (Lang::Ja, Empty) => "まだメッセージはありません。",
        (Lang::En, From) => "From",
        (Lang::Ja, From) => "差出人",
        (Lang::En, Subject) => "Subject",
        (Lang::Ja, Subject) => "件名",
        (Lang::En, Uid) => "UID",
        (Lang::Ja, Uid) => "UID",
        (Lang::En, NoSubject) => "(no subject)",
        (Lang::Ja, NoSubject) => "（件名なし）",
        (Lang::En, OpenTerminal) => "Open terminal",
        (Lang::Ja, OpenTerminal) => "端末を開く",
        (Lang::En, Host) => "Host",
        (Lang::Ja, Host) => "ホスト",
        (Lang::En, Port) => "Port",
        (Lang::Ja, Port) => "ポート",
        (Lang::En, Message) => "Message",
        (Lang::Ja, Message) => "メッセージ",
        (Lang::En, Close) => "Close",
        (Lang::Ja, Close) => "閉じる",
        (Lang::En, Envelope) => "Envelope (SMTP: MAIL FROM / RCPT TO)",
        (Lang::Ja, Envelope) => "エンベロープ（SMTP の MAIL FROM / RCPT TO）",
        (Lang::En, Header) => "Header (what the reader sees)",
        (Lang::Ja, Header) => "ヘッダ（読み手に見えるもの）",
        (Lang::En, EnvelopeNote) => {
            "Servers route by the envelope; readers see the header. They may differ: Bcc recipients are only in the envelope, and a From: line can be forged."
        }
        (Lang::Ja, EnvelopeNote) => {
            "サーバはエンベロープで配送し、読み手はヘッダを見ます。両者は違ってもかまいません。Bcc の宛先はエンベロープにしかなく、From: 行は偽造できます。"
        }
        (Lang::En, Route) => "Route (Received lines, newest first)",
        (Lang::Ja, Route) => "経路（Received 行、新しい順）",
        (Lang::En, NullReversePath) => "<> the null reverse-path: a bounce, never bounced again (RFC 5321 §4.5.5)",
        (Lang::Ja, NullReversePath) => {
            "<> 空の逆経路：エラー通知なので、これ自体は決して返送されません（RFC 5321 §4.5.5）"
        }
        (Lang::En, NoRoute) => "No Received lines: made on the host that stored it, it never crossed SMTP.",
        (Lang::Ja, NoRoute) => "Received 行なし：保存したホスト自身が作ったメールで、SMTP を通っていません。",
        (Lang::En, Parts) => "MIME parts",
        (Lang::Ja, Parts) => "MIME パート",
        (Lang::En, Body) => "Body",
        (Lang::Ja, Body) => "本文",
        (Lang::En, RawMessage) => "Raw message as stored",
        (Lang::Ja, RawMessage) => "保存されている生のメッセージ",
        (Lang::En, Diagnostics) => "Diagnostics",
        (Lang::Ja, Diagnostics) => "診断",
        (Lang::En, HtmlSandboxed) => "HTML body, shown in a sandbox with scripts off",
        (Lang::Ja, HtmlSandboxed) => "HTML 本文（スクリプトを止めたサンドボックスで表示）",
        (Lang::En, Reset) => "Reset the lab",
        (Lang::Ja, Reset) => "ラボを初期化",
        (Lang::En, ResetConfirm) => "Start again from the beginning? All mail and changes in this lab are deleted.",
        (Lang::Ja, ResetConfirm) => "最初からやり直しますか？このラボのメールと変更はすべて消えます。",
        (Lang::En, StorageProblem) => {
            "The lab saved in this browser could not be read, so it is not being used or overwritten:"
        }
        (Lang::Ja, StorageProblem) => "このブラウザに保存されたラボを読み込めませんでした。使用も上書きもしていません:",
        (Lang::En, StartFresh) => "Discard it and start fresh",
        (Lang::Ja, StartFresh) => "破棄して最初から始める",
        (Lang::En, Network) => "Network",
        (Lang::Ja, Network) => "ネットワーク",
        (Lang::En, Clock) => "Clock",
        (Lang::Ja, Clock) => "時計",
        (Lang::En, AdvanceMinute) => "+1 min",
        (Lang::Ja, AdvanceMinute) => "+1 分",
        (Lang::En, AdvanceTenMinutes) => "+10 min",
        (Lang::Ja, AdvanceTenMinutes) => "+10 分",
        (Lang::En, RunUntilIdle) => "Run until idle",
        (Lang::Ja, RunUntilIdle) => "キューが空になるまで進める",
        (Lang::En, Queue) => "Queue (mail waiting to be relayed)",
        (Lang::Ja, Queue) => "キュー（中継待ちのメール）",
        (Lang::En, QueueEmpty) => "Every queue is empty.",
        (Lang::Ja, QueueEmpty) => "キューは空です。",
        (Lang::En, TakeDown) => "Take down",
        (Lang::Ja, TakeDown) => "停止する",
        (Lang::En, BringUp) => "Bring up",
        (Lang::Ja, BringUp) => "起動する",
        (Lang::En, Up) => "up",
        (Lang::Ja, Up) => "稼働中",
        (Lang::En, Down) => "down",
        (Lang::Ja, Down) => "停止中",
        (Lang::En, Timeline) => "What happened",
        (Lang::Ja, Timeline) => "出来事",
        (Lang::En, Wiretap) => "Wiretap",
        (Lang::Ja, Wiretap) => "盗聴",
        (Lang::En, WiretapNote) => "What an eavesdropper on each link sees. Inside TLS only ciphertext is visible.",
        (Lang::Ja, WiretapNote) => "各回線の盗聴者に見えるもの。TLS の中は暗号文しか見えません。",
        (Lang::En, PasswordInClear) => "password in the clear!",
        (Lang::Ja, PasswordInClear) => "パスワードが平文で流れています！",
        (Lang::En, ApopBrackets) => "The <…> brackets are part of the timestamp; computed with:",
        (Lang::Ja, ApopBrackets) => "山かっこ <…> もタイムスタンプの一部です。次の値で計算しました：",
        (Lang::En, DigestOnly) => "a digest only: the password itself did not cross",
        (Lang::Ja, DigestOnly) => "ダイジェストだけ。パスワードそのものは流れていません",
        (Lang::En, Encrypted) => "encrypted",
        (Lang::Ja, Encrypted) => "暗号化",
        (Lang::En, MailClient) => "Mail client (MUA)",
        (Lang::Ja, MailClient) => "メールソフト（MUA）",
        (Lang::En, MailClientNote) => {
            "The MUA speaks SMTP to the MSA (587, STARTTLS, AUTH) to send, and POP3 to fetch; its dialogue is below."
        }
        (Lang::Ja, MailClientNote) => {
            "MUA は送信のとき MSA（587 番、STARTTLS、AUTH）と SMTP で、受信のとき POP3 で話します。そのやりとりを下に示します。"
        }
        (Lang::En, Account) => "Account",
        (Lang::Ja, Account) => "アカウント",
        (Lang::En, To) => "To",
        (Lang::Ja, To) => "宛先",
        (Lang::En, Cc) => "Cc",
        (Lang::Ja, Cc) => "Cc",
        (Lang::En, Bcc) => "Bcc",
        (Lang::Ja, Bcc) => "Bcc",
        (Lang::En, Send) => "Send",
        (Lang::Ja, Send) => "送信",
        (Lang::En, CheckMail) => "Check mail (POP3)",
        (Lang::Ja, CheckMail) => "受信（POP3）",
        (Lang::En, Downloaded) => "Downloaded by the mail client",
        (Lang::Ja, Downloaded) => "メールソフトが受信したメッセージ",
        (Lang::En, Lessons) => "Lessons",
        (Lang::Ja, Lessons) => "レッスン",
        (Lang::En, LessonsDone) => "done",
        (Lang::Ja, LessonsDone) => "完了",
        (Lang::En, Goal) => "Goal",
        (Lang::Ja, Goal) => "目標",
        (Lang::En, Hint) => "Hint",
        (Lang::Ja, Hint) => "ヒント",
        (Lang::En, Steps) => "Try this (each line is one Enter in a terminal)",
        (Lang::Ja, Steps) => "やってみよう（1 行ごとに端末で Enter）",
        (Lang::En, GoalReached) => "Goal reached ✓ — the lab saw it happen.",
        (Lang::Ja, GoalReached) => "目標達成 ✓ ラボが確かめました。",
        (Lang::En, GoalNotYet) => "Not reached yet: the lab checks the world after every step.",
        (Lang::Ja, GoalNotYet) => "まだです。ラボは一歩ごとに世界の様子を確かめています。",
        (Lang::En, EmptyLine) => "(empty line: just Enter)",
        (Lang::Ja, EmptyLine) => "（空行：Enter だけ）",
        (Lang::En, NewWorldConfirm) => {
            "This lesson starts from its own world; the mail and changes in the current one are replaced (the lab set aside earlier is kept). Continue?"
        }
        (Lang::Ja, NewWorldConfirm) => {
            "このレッスンは専用の世界から始めます。今の世界のメールと変更は置き換わります（先に取っておいたラボはそのまま残ります）。続けますか？"
        }
        (Lang::En, HostSettings) => "Services & policies ▾",
        (Lang::Ja, HostSettings) => "サービスとポリシー ▾",
        (Lang::En, Syllabus) => "Syllabus",
        (Lang::Ja, Syllabus) => "シラバス",
        (Lang::En, SyllabusNote) => {
            "Each lesson, the lecture-note topic it teaches and the world it starts from. Open a title to preview its goal and steps; nothing changes until you press Start. A lesson on another world sets the current lab aside, and you can go back to it."
        }
        (Lang::Ja, SyllabusNote) => {
            "各レッスンと、そこで学ぶ講義資料の内容、始めるときの世界です。題名を開くと目標と手順を下見できます。「始める」を押すまで何も変わりません。別の世界のレッスンを始めると今のラボは取っておかれ、あとで戻れます。"
        }
        (Lang::En, SyllabusTopic) => "Topic in the lecture notes",
        (Lang::Ja, SyllabusTopic) => "講義資料の内容",
        (Lang::En, SyllabusScenario) => "World",
        (Lang::Ja, SyllabusScenario) => "世界",
        (Lang::En, LectureNotes) => "Lecture notes",
        (Lang::Ja, LectureNotes) => "講義資料",
        (Lang::En, Start) => "Start",
        (Lang::Ja, Start) => "始める",
        (Lang::En, AsideNote) => "Your lab from before is set aside:",
        (Lang::Ja, AsideNote) => "前のラボを取っておいてあります：",
        (Lang::En, BackToAside) => "Back to it",
        (Lang::Ja, BackToAside) => "そこへ戻る",
        (Lang::En, LetAsideGo) => "Let it go",
        (Lang::Ja, LetAsideGo) => "捨てる",
        (Lang::En, Timestamp) => "Timestamp from the greeting",
        (Lang::Ja, Timestamp) => "グリーティングのタイムスタンプ",
        (Lang::En, Password) => "Password",
        (Lang::Ja, Password) => "パスワード",
        (Lang::En, Digest) => "APOP digest",
        (Lang::Ja, Digest) => "APOP ダイジェスト",
        (Lang::En, ApopCalculator) => "MD5 of timestamp + password, as a mail client computes it",
        (Lang::Ja, ApopCalculator) => "メールソフトと同じく、タイムスタンプ + パスワードの MD5 を計算",
        (Lang::En, Map) => "Map of the network: client machines, mail hosts, DNS and the links between them",
        (Lang::Ja, Map) => "ネットワークの地図：クライアント、メールホスト、DNS とその間の接続",
        (Lang::En, Address) => "Address",
        (Lang::Ja, Address) => "アドレス",
        (Lang::En, Services) => "Services",
        (Lang::Ja, Services) => "サービス",
        (Lang::En, Users) => "Users",
        (Lang::Ja, Users) => "ユーザ",
        (Lang::En, Policies) => "Policies",
        (Lang::Ja, Policies) => "ポリシー",
        (Lang::En, OpenRelay) => "Open relay (relays anybody's mail: the spammer's friend)",
        (Lang::Ja, OpenRelay) => "オープンリレー（誰のメールでも中継する：スパムの温床）",
        (Lang::En, Folders) => "Folders",
        (Lang::Ja, Folders) => "フォルダ",
        (Lang::En, Flags) => "Flags",
        (Lang::Ja, Flags) => "フラグ",
        (Lang::En, Expunged) => "Just removed:",
        (Lang::Ja, Expunged) => "削除されたばかり:",
        (Lang::En, ExportMbox) => "Download folder (mbox)",
        (Lang::Ja, ExportMbox) => "フォルダをダウンロード（mbox）",
        (Lang::En, ImportMail) => "Import .eml or mbox",
        (Lang::Ja, ImportMail) => ".eml か mbox を取り込む",
        (Lang::En, ExportLab) => "Save the lab to a file",
        (Lang::Ja, ExportLab) => "ラボをファイルに保存",
        (Lang::En, ImportLab) => "Open a saved lab",
        (Lang::Ja, ImportLab) => "保存したラボを開く",
        (Lang::En, ImportLabConfirm) => "Replace this lab by the one in the file? Its mail and changes are replaced.",
        (Lang::Ja, ImportLabConfirm) => "このラボをファイルの内容で置き換えますか？今のメールと変更は置き換わります。",
        (Lang::En, WireForm) => "On the wire after DATA (dot-stuffed)",
        (Lang::Ja, WireForm) => "DATA の後に流れる形（ドット詰め）",
        (Lang::En, WireNote) => {
            "Lines that start with a dot get one more, so that only the last line, a single dot, ends the message. Highlighted lines were stuffed."
        }
        (Lang::Ja, WireNote) => {
            "ドットで始まる行には先頭にドットをもう 1 つ付けます。こうして最後のドット 1 つだけの行だけがメッセージの終わりになります。色付きの行が詰められた行です。"
        }
        (Lang::En, DownloadEml) => "Download as .eml",
        (Lang::Ja, DownloadEml) => ".eml でダウンロード",
        (Lang::En, Terminals) => "Terminals",
        (Lang::Ja, Terminals) => "端末",
        (Lang::En, SideBySide) => "Side by side",
        (Lang::Ja, SideBySide) => "並べて表示",
        (Lang::En, StuffedByServer) => {
            "Dot-stuffed by the server: the message line starts with one dot less; the client removes the extra dot."
        }
        (Lang::Ja, StuffedByServer) => {
            "サーバがドット詰めした行：実際の行はドットが 1 つ少なく、クライアントが余分なドットを取り除きます。"
        }
        (Lang::En, AddPane) => "Show the mailbox of",
        (Lang::Ja, AddPane) => "メールボックスを表示:",
        (Lang::En, CheckMailImap) => "Check mail (IMAP)",
        (Lang::Ja, CheckMailImap) => "受信（IMAP）",
        (Lang::En, MoveToTrash) => "Move to Trash",
        (Lang::Ja, MoveToTrash) => "ゴミ箱へ移動",
        (Lang::En, Watch) => "Watch INBOX (IMAP IDLE)",
        (Lang::Ja, Watch) => "INBOX を見張る（IMAP IDLE）",
        (Lang::En, StopWatching) => "Stop watching",
        (Lang::Ja, StopWatching) => "見張りをやめる",
        (Lang::En, Pushed) => "Pushed by the server while idling",
        (Lang::Ja, Pushed) => "IDLE 中にサーバから届いた通知",
        (Lang::En, ImapInbox) => "INBOX on the server (IMAP)",
        (Lang::Ja, ImapInbox) => "サーバ上の INBOX(IMAP)",
        (Lang::En, Container) => "(container)",
        (Lang::Ja, Container) => "（入れ物）",
        (Lang::En, Octets) => "octets",
        (Lang::Ja, Octets) => "オクテット",
        (Lang::En, Projector) => "Projector",
        (Lang::Ja, Projector) => "プロジェクター",
        (Lang::En, NextLesson) => "Next lesson →",
        (Lang::Ja, NextLesson) => "次のレッスンへ →",
        (Lang::En, PutInCommandBox) => "Put this line in the command box",
        (Lang::Ja, PutInCommandBox) => "この行をコマンド欄に入れる",
        (Lang::En, QueueId) => "ID",
        (Lang::Ja, QueueId) => "ID",
        (Lang::En, QueueHost) => "Held by",
        (Lang::Ja, QueueHost) => "保持ホスト",
        (Lang::En, QueueRecipients) => "Recipients",
        (Lang::Ja, QueueRecipients) => "宛先",
        (Lang::En, QueueAttempts) => "Tries",
        (Lang::Ja, QueueAttempts) => "試行",
        (Lang::En, QueueNextAttempt) => "Next try",
        (Lang::Ja, QueueNextAttempt) => "次の試行",
        (Lang::En, QueueLastError) => "Last error",
        (Lang::Ja, QueueLastError) => "直前のエラー",
        (Lang::En, TakenDown) => "taken down",
        (Lang::Ja, TakenDown) => "手動で停止中",
        (Lang::En, LegendOpen) => "connection open",
        (Lang::Ja, LegendOpen) => "接続中",
        (Lang::En, LegendTls) => "inside TLS",
        (Lang::Ja, LegendTls) => "TLS で暗号化",
        (Lang::En, LegendClosed) => "closed",
        (Lang::Ja, LegendClosed) => "切断済み",
        (Lang::En, LegendDown) => "host down",
        (Lang::Ja, LegendDown) => "ホスト停止中",
        (Lang::En, LegendRoute) => "route of the opened message",
        (Lang::Ja, LegendRoute) => "開いたメールの経路",
        (Lang::En, LegendDns) => "MTAs ask DNS for MX records",
        (Lang::Ja, LegendDns) => "MTA は DNS に MX レコードを問い合わせる",
        (Lang::En, Views) => "Show",
        (Lang::Ja, Views) => "表示",
        (Lang::En, DownloadTranscript) => "Download as text",
        (Lang::Ja, DownloadTranscript) => "テキストで保存",
        (Lang::En, Prompt) => "not connected",
        (Lang::Ja, Prompt) => "未接続",
        (Lang::En, Transcript) => "Transcript",
        (Lang::Ja, Transcript) => "やりとり",
    }
}

/// A line the lab itself writes into a terminal (not protocol text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabNote {
    /// `telnet` starts connecting.
    Trying {
        host: String,
        port: u16,
    },
    Connected,
    /// Connected to an implicit-TLS port (465, 995, 993).
    ConnectedInsideTls,
    /// A line typed while no connection is open.
    NotConnected,
    /// `telnet host port` typed while connected: the server read it as a command.
    StillConnected {
        host: String,
        port: u16,
    },
    /// STARTTLS/STLS succeeded; what to do next depends on the protocol.
    TlsStarted(Option<Protocol>),
    ClosedByForeignHost,
    /// A DATA line typed with a leading dot: what the server will store.
    DotStuffed {
        stored: String,
    },
    /// A DATA line with one leading dot: the server removes it.
    DotRemoved {
        stored: String,
    },
    /// The world could not connect or deliver the line.
    World(WorldError),
}

/// `note` as a sentence in `lang`.
pub fn lab_note(lang: Lang, note: &LabNote) -> String {
    use LabNote::*;
    match (lang, note) {
        (Lang::En, Trying { host, port }) => format!("Trying {host} {port}..."),
        (Lang::Ja, Trying { host, port }) => format!("{host} のポート {port} に接続しています..."),
        (Lang::En, Connected) => "Connected.".into(),
        (Lang::Ja, Connected) => "接続しました。".into(),
        (Lang::En, ConnectedInsideTls) => "Connected inside TLS (implicit TLS port; simulated handshake done).".into(),
        (Lang::Ja, ConnectedInsideTls) => {
            "TLS の中で接続しました（最初から TLS のポート。ハンドシェイクは模擬）。".into()
        }
        (Lang::En, NotConnected) => "Not connected. Type: telnet <host> <port>, e.g. telnet mail.a.example 25".into(),
        (Lang::Ja, NotConnected) => {
            "接続していません。telnet <ホスト> <ポート> と入力してください（例：telnet mail.a.example 25）".into()
        }
        (Lang::En, StillConnected { host, port }) => format!(
            "You are still connected to {host} port {port}: the server read that line as a command. Type QUIT first, or open another terminal."
        ),
        (Lang::Ja, StillConnected { host, port }) => format!(
            "まだ {host} のポート {port} に接続しています。いまの行はサーバにコマンドとして送られました。先に QUIT するか、別の端末を開いてください。"
        ),
        (Lang::En, TlsStarted(protocol)) => format!(
            "TLS handshake done (simulated): from here on an eavesdropper sees only ciphertext. {}",
            match protocol {
                Some(Protocol::Pop3) => "Ask CAPA again: what the server offers may have changed.",
                Some(Protocol::Imap) => "Ask CAPABILITY again: what the server offers may have changed.",
                _ => "Greet again with EHLO.",
            }
        ),
        (Lang::Ja, TlsStarted(protocol)) => format!(
            "TLS ハンドシェイク完了（模擬）：ここから先、盗聴者には暗号文しか見えません。{}",
            match protocol {
                Some(Protocol::Pop3) => "サーバの機能が変わることがあるので、もう一度 CAPA で尋ねてください。",
                Some(Protocol::Imap) => "サーバの機能が変わることがあるので、もう一度 CAPABILITY で尋ねてください。",
                _ => "もう一度 EHLO で挨拶してください。",
            }
        ),
        (Lang::En, DotStuffed { stored }) => {
            format!("Dot-stuffed line: the server removes the first dot and stores “{stored}” (RFC 5321 §4.5.2).")
        }
        (Lang::Ja, DotStuffed { stored }) => {
            format!(
                "ドット詰めした行：サーバは先頭のドットを 1 つ取り除き「{stored}」として保存します（RFC 5321 §4.5.2）。"
            )
        }
        (Lang::En, DotRemoved { stored }) => format!(
            "This line starts with one dot: the server removes it and stores “{stored}”. To keep a leading dot, type two (dot-stuffing)."
        ),
        (Lang::Ja, DotRemoved { stored }) => format!(
            "この行はドット 1 つで始まるので、サーバはそれを取り除き「{stored}」として保存します。先頭のドットを残すには 2 つ打ちます（ドット詰め）。"
        ),
        (Lang::En, ClosedByForeignHost) => "Connection closed by foreign host.".into(),
        (Lang::Ja, ClosedByForeignHost) => "相手のホストが接続を閉じました。".into(),
        (Lang::En, World(e)) => e.to_string(),
        (Lang::Ja, World(e)) => match e {
            WorldError::UnknownHost(h) => format!("{h}：不明なホストです（DNS にその名前がありません）"),
            WorldError::UnknownClient(c) => format!("{c}：不明なクライアントマシンです"),
            WorldError::HostDown(h) => format!("{h}：ホストが停止しています（ホストへの経路がありません）"),
            WorldError::ConnectionRefused { host, port } => {
                format!("{host} のポート {port}：接続を拒否されました（そこで待ち受けるサービスがありません）")
            }
            WorldError::NoSuchConnection(id) => format!("接続 {id} はありません"),
            WorldError::ConnectionClosed(id) => format!("接続 {id} は閉じています"),
        },
    }
}

/// What an import came to, in `lang`.
pub fn notice(lang: Lang, notice: &crate::state::Notice) -> String {
    use crate::state::Notice;
    match (lang, notice) {
        (Lang::En, Notice::Imported { count, account, folder }) => {
            format!("Imported {} into {account} {folder}.", message_count(lang, *count))
        }
        (Lang::Ja, Notice::Imported { count, account, folder }) => {
            format!("{account} の {folder} に {} を取り込みました。", message_count(lang, *count))
        }
        (Lang::En, Notice::LabImported) => "The saved lab is open.".into(),
        (Lang::Ja, Notice::LabImported) => "保存したラボを開きました。".into(),
        (Lang::En, Notice::ImportFailed(why)) => format!("Could not import: {why}"),
        (Lang::Ja, Notice::ImportFailed(why)) => format!("取り込めませんでした：{why}"),
    }
}

/// `hh:mm:ss` of a time on the logical clock.
fn clock(t: &mail_lab_proto::Time) -> String {
    t.rfc5322().split(' ').nth(4).unwrap_or("").to_string()
}

/// A timeline line for an event, in `lang` (`None` for events the timeline skips).
pub fn happened(lang: Lang, time: &str, kind: &mail_lab_world::EventKind, link: &str) -> Option<String> {
    use mail_lab_world::EventKind::*;
    let ja = lang == Lang::Ja;
    let what = match kind {
        TlsStarted { .. } if ja => format!("{} で TLS が始まりました", link),
        TlsStarted { .. } => format!("TLS started on {}", link),
        SessionTimedOut { .. } if ja => format!("{}：無通信が続いたのでサーバが接続を閉じました", link),
        SessionTimedOut { .. } => format!("{}: the server closed the silent session (timeout)", link),
        Queued { queue_id, host, recipients } if ja => {
            format!("{host} が {queue_id} を {} 宛てにキューに入れました", recipients.join(", "))
        }
        Queued { queue_id, host, recipients } => format!("{host} queued {queue_id} for {}", recipients.join(", ")),
        RelayAttempt { queue_id, from, to, attempt, .. } if ja => {
            format!("{from} → {to}：{queue_id} の中継 {attempt} 回目")
        }
        RelayAttempt { queue_id, from, to, attempt, .. } => {
            format!("{from} → {to}: relay attempt {attempt} for {queue_id}")
        }
        Relayed { queue_id, to, recipient, .. } if ja => {
            format!("{to} が {queue_id} を {recipient} 宛てに受け取りました")
        }
        Relayed { queue_id, to, recipient, .. } => format!("{to} accepted {queue_id} for {recipient}"),
        Deferred { queue_id, next_attempt, reason, .. } if ja => {
            format!("{queue_id} は延期（{reason}）。次の試行 {}", clock(next_attempt))
        }
        Deferred { queue_id, next_attempt, reason, .. } => {
            format!("{queue_id} deferred ({reason}); next try {}", clock(next_attempt))
        }
        Bounced { queue_id, to, .. } if ja => format!("{queue_id} のエラーメールを {to} に返しました"),
        Bounced { queue_id, to, .. } => format!("{queue_id} bounced to {to}"),
        BounceDiscarded { queue_id, .. } if ja => format!("{queue_id} のエラーメールは破棄されました"),
        BounceDiscarded { queue_id, .. } => format!("bounce of {queue_id} discarded"),
        Delivered { host, account, folder, uid } if ja => {
            format!("{host} が {account} の {folder} に UID {uid} を配送")
        }
        Delivered { host, account, uid, .. } => format!("{host} delivered UID {uid} to {account}"),
        Removed { account, uid, .. } if ja => format!("{account} から UID {uid} を削除"),
        Removed { account, uid, .. } => format!("UID {uid} removed from {account}"),
        HostUp { host } if ja => format!("{host} に再びつながるようになりました"),
        HostUp { host } => format!("{host} is reachable again"),
        RelayWindowOpened { client, until, .. } if ja => {
            format!("POP before SMTP：{client} は {} まで中継できます", clock(until))
        }
        RelayWindowOpened { client, until, .. } => {
            format!("POP before SMTP: {client} may relay until {}", clock(until))
        }
        LoggedIn { host, client, account, proof, encrypted, .. } => {
            let how = match (proof, encrypted, ja) {
                (_, true, false) => "inside TLS",
                (_, true, true) => "TLS の中で",
                (mail_lab_proto::sasl::Proof::Digest, false, false) => "with a digest only",
                (mail_lab_proto::sasl::Proof::Digest, false, true) => "ダイジェストだけで",
                (mail_lab_proto::sasl::Proof::Password, false, false) => "password in the clear",
                (mail_lab_proto::sasl::Proof::Password, false, true) => "パスワードは平文",
            };
            if ja {
                format!("{client} が {host} に {account} としてログイン（{how}）")
            } else {
                format!("{client} logged in to {host} as {account} ({how})")
            }
        }
        PolicyRefused { host, client, rule, reply } if ja => {
            format!("{host} がポリシー {rule} で {client} を拒否：{reply}")
        }
        PolicyRefused { host, client, rule, reply } => format!("{host} refused {client} by policy {rule}: {reply}"),
        _ => return None,
    };
    Some(format!("{time} {what}"))
}

/// A switchable host policy's label.
pub fn policy(lang: Lang, policy: mail_lab_world::Policy) -> String {
    use mail_lab_world::Policy::*;
    let ja = lang == Lang::Ja;
    match policy {
        OpenRelay => t(lang, Text::OpenRelay).to_string(),
        TlsBeforeLogin if ja => "ログインは TLS の中だけ（平文のパスワードを拒否）".into(),
        TlsBeforeLogin => "Login only inside TLS (refuse passwords in the clear)".into(),
        Vrfy if ja => "VRFY に答える（ユーザの有無がわかる）".into(),
        Vrfy => "Answer VRFY (tells whether a user exists)".into(),
        PopBeforeSmtp if ja => "POP before SMTP: POP3 でログインすると 10 分間中継できる".into(),
        PopBeforeSmtp => "POP before SMTP: a POP3 login opens relay for 10 min".into(),
        Service(port) => port.to_string(),
    }
}

/// A dial-up host's schedule.
pub fn online(lang: Lang, on: u64, every: u64) -> String {
    match lang {
        Lang::En => format!("online {on} min of every {every} min (dial-up)"),
        Lang::Ja => format!("{every} 分ごとに {on} 分だけオンライン（ダイヤルアップ）"),
    }
}

/// Whether a host answers now, as the host list says it.
pub fn host_state(lang: Lang, state: mail_lab_world::HostState) -> String {
    use mail_lab_world::HostState::*;
    match state {
        Up => t(lang, Text::Up).to_string(),
        TakenDown => t(lang, Text::TakenDown).to_string(),
        ScheduledDown { until: None } => t(lang, Text::Down).to_string(),
        ScheduledDown { until: Some(at) } => {
            let at = at.rfc5322();
            let hhmm = at.split(' ').nth(4).and_then(|t| t.get(..5)).unwrap_or("");
            match lang {
                Lang::En => format!("down until {hhmm}"),
                Lang::Ja => format!("{hhmm} まで停止中"),
            }
        }
    }
}

/// What the mail client last did, in `lang`.
pub fn mua_status(lang: Lang, status: &crate::state::MuaStatus) -> String {
    use crate::state::{MuaOutcome, MuaStatus};
    let ja = lang == Lang::Ja;
    match status {
        MuaStatus::NoAccount(a) if ja => format!("{a} というアカウントはありません"),
        MuaStatus::NoAccount(a) => format!("No account {a}"),
        MuaStatus::NoRecipient if ja => "宛先を 1 つ以上入れてください。".into(),
        MuaStatus::NoRecipient => "Give at least one recipient.".into(),
        MuaStatus::Sent(outcomes) => outcomes
            .iter()
            .map(|(rcpt, outcome)| match (outcome, ja) {
                (MuaOutcome::Accepted, false) => format!("{rcpt}: accepted"),
                (MuaOutcome::Accepted, true) => format!("{rcpt}：受け付けられました"),
                (MuaOutcome::Later(reply), false) => format!("{rcpt}: try later ({reply})"),
                (MuaOutcome::Later(reply), true) => format!("{rcpt}：後で再送（{reply}）"),
                (MuaOutcome::Refused(reply), false) => format!("{rcpt}: refused ({reply})"),
                (MuaOutcome::Refused(reply), true) => format!("{rcpt}：拒否されました（{reply}）"),
            })
            .collect::<Vec<_>>()
            .join("; "),
        MuaStatus::Fetched { count, account } if ja => format!("{account} の新着メッセージ {count} 通"),
        MuaStatus::Fetched { count, account } => format!("{count} new message(s) for {account}"),
        MuaStatus::Listed { count, account } if ja => format!("{account} の INBOX(IMAP)：{count} 通"),
        MuaStatus::Listed { count, account } => format!("{account} INBOX over IMAP: {}", message_count(lang, *count)),
        MuaStatus::Failed(why) if ja => format!("失敗しました：{why}"),
        MuaStatus::Failed(why) => format!("Failed: {why}"),
    }
}
