/**
 * Types of the Parvis public API payloads, as pinned by parvis/api/tests/openapi.snapshot.json.
 * Keep in step with that snapshot (the snapshot test fails when the API changes).
 */

/** "removed" with `moderation` (and its text) is the reader's own refused comment; without, a placeholder. */
export type CommentStatus = "approved" | "pending" | "deleted" | "removed";
export type Sort = "oldest" | "newest" | "best";

export type Badge = "author" | "staff" | "journalist" | "subscriber";
/** Who may comment: on the site (`SiteRules.commenting.rule`) and on a thread (`ThreadInfo.commenting`). */
export type Rule = "anyone" | "signed_in" | "subscribers" | "staff";

export interface Author {
  name: string;
  website: string | null;
  /** Signed in, or proved their email address. */
  verified: boolean;
  /** `author`: wrote the article; `staff`, `journalist`: set by the newsroom; `subscriber`: from their roles. */
  badge: Badge | null;
  /** The commenter's id for their profile page /t/<site>/people/<id>/ (verified commenters only). */
  profile: number | null;
}

export interface Anchor {
  exact: string;
  prefix: string;
  suffix: string;
}

export interface Comment {
  id: number;
  parent: number | null;
  status: CommentStatus;
  author: Author | null;
  /** Sanitized by the server (markdown-it + nh3); the only HTML the app ever inserts. */
  html: string;
  language: string;
  created: string;
  edited: string | null;
  /** The moderation edited or redacted the text. */
  moderator_edited: boolean;
  upvotes: number;
  downvotes: number;
  score: number;
  depth: number;
  anchor: Anchor | null;
  /** Pinned by the moderators (the server lists it first) / marked as an editor's pick: a badge each. */
  pinned: boolean;
  editors_pick: boolean;
  own: boolean;
  /** Only on the reader's own comments that are held or were removed. */
  moderation?: Moderation | null;
  replies: Comment[];
}

/** Why a policy category, a custom category (then `label` is the site's own name for it) or a hold applied. */
export interface Reason {
  /** Policy category (spam, toxic, insult, hate, antisemitism, racism, threat, defamation, personal_data, links),
   * a custom category's slug, or why the comment waits (premoderation, first_comment, surge, checking, unavailable). */
  code: string;
  label: string;
}

/** What the author is told about their comment that is not (or not yet) published. */
export interface Moderation {
  action: "publish" | "hold" | "reject" | "spam";
  reasons: Reason[];
  appealable: boolean;
  appealed: boolean;
}

export interface ThreadInfo {
  id: number | null;
  key: string;
  url: string;
  title: string;
  closed: boolean;
  count: number;
  /** The rule in force here: the thread's own, else its site's. */
  commenting: Rule;
}

export interface ThreadPage {
  thread: ThreadInfo;
  comments: Comment[];
  top_level_total: number;
  next_cursor: string | null;
  /** The newest comment id when the first page was read: live updates ask for what is newer. */
  latest: number;
  /** The newest moderation decision when the page was read: live updates report what was decided since. */
  decided: number;
}

export interface SiteRules {
  slug: string;
  name: string;
  language: string;
  moderation: "pre" | "post";
  edit_window: number;
  max_comment_length: number;
  guests: { allowed: boolean; name_required: boolean; email: "required" | "optional" };
  commenting: Commenting;
  policy: { text: string; url: string };
  privacy: { text: string; url: string };
}

/** The ways of signing in the site offers (null: not offered). */
export interface SignInDoors {
  /** `login_url` empty: the publisher's pages sign readers in themselves (data-parvis-sso-token). */
  sso: { login_url: string; label: string } | null;
  oidc: { label: string } | null;
  email: boolean;
}

export interface Commenting {
  rule: Rule;
  sign_in: SignInDoors;
  confirm_first_comment: boolean;
}

/** The signed-in reader (GET auth/me, and in every session). */
export interface Reader {
  id: number;
  name: string;
  verified: boolean;
  badge: Exclude<Badge, "author"> | null;
  roles: string[];
  avatar_url: string | null;
  profile_public: boolean;
  name_changeable_at: string | null;
}

/** A reader session (auth/sso, auth/refresh, auth/email/poll, the OIDC popup): kept in the frame's storage. */
export interface Session {
  token: string;
  expires_at: string;
  /** Ask for a new token (POST auth/refresh) after this. */
  refresh_after: string;
  reader: Reader;
}

/** POST auth/email: 202, the secret the app polls auth/email/poll with until the emailed link is opened. */
export interface EmailRequest {
  request: string;
  expires_at: string;
}

export interface Created {
  comment: Comment;
  edit_token: string;
  edit_until: string;
  /** A confirmation link was mailed to the author: polling with it signs them in once they click. */
  confirmation: { request: string; expires_at: string } | null;
}

export interface VoteResult {
  upvotes: number;
  downvotes: number;
  score: number;
  your_vote: number;
}

/** RFC 9457 problem+json, as every API error is answered. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  errors?: Array<{ field: string | null; code: string; message: string }>;
}

/** New approved comments since a given id (live updates), flat, oldest first. */
export interface Updates {
  count: number;
  comments: Comment[];
  latest: number;
  /** Given `decided`: comments the moderation took down since; and the next cursor. */
  removed: number[];
  decided: number;
}

/** POST {api}/subscriptions: `thread` is sent only for kind `thread`. */
export interface SubscriptionRequest {
  email: string;
  kind: "thread" | "replies";
  frequency: "instant" | "daily";
  language: string;
  thread?: { key: string | null; url: string | null; title: string };
}

/** 202: nothing is sent to the address but one confirmation email until its owner clicks the link in it. */
export interface SubscriptionAnswer {
  status: "confirmation_sent";
  feed: string;
}
