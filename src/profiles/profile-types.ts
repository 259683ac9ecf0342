/**
 * A loaded, checked server profile (rtbench.profile/1, DESIGN §2b): how to publish to and
 * subscribe from one kind of server. Templates are compiled, defaults filled in; the
 * clients and the publisher trust it. The file format is schema/profile.schema.json,
 * documented in docs/profiles.md.
 */
import type { Transport } from '../protocol/transports.js';
import type { Template } from './template.js';

export const PROFILE_FORMAT = 'rtbench.profile/1';

/** Where rtbench's event sits in a delivered message. */
export type Marker = { readonly kind: 'scan' } | { readonly kind: 'verbatim' } | { readonly kind: 'path'; readonly path: readonly string[] };

export interface PublishSpec {
  readonly method: string;
  readonly url: Template;
  readonly headers: readonly HeaderTemplate[];
  readonly body: Template;
  readonly accepted: readonly number[];
}

export interface HeaderTemplate {
  readonly name: string;
  readonly value: Template;
}

export interface SseSpec {
  readonly url: Template;
  /** This transport's marker when it differs from the profile's. */
  readonly marker?: Marker;
  readonly headers: readonly HeaderTemplate[];
  /** Event types read; '' stands for unnamed events (and 'message'). */
  readonly events: readonly string[];
  readonly resume: 'last-event-id' | 'none';
  readonly gapComment?: string;
}

export interface WsSpec {
  readonly url: Template;
  readonly marker?: Marker;
  readonly headers: readonly HeaderTemplate[];
  readonly subprotocols: readonly string[];
  readonly onOpen: readonly Template[];
  readonly publishFrame?: Template;
  /** The query parameter carrying the last event id on reconnect; undefined = no resume. */
  readonly resumeQuery?: string;
  /** A message starting with this text means history was lost. */
  readonly gapMessage?: string;
}

export type CursorSource = { readonly kind: 'json'; readonly path: readonly string[] } | { readonly kind: 'headers'; readonly names: readonly string[] } | { readonly kind: 'event-id' } | { readonly kind: 'none' };

export type PollBody = { readonly kind: 'v1' } | { readonly kind: 'single' } | { readonly kind: 'lines' } | { readonly kind: 'json-array'; readonly path: readonly string[] };

export interface PollSpec {
  /** Every request once a cursor is known. */
  readonly url: Template;
  readonly marker?: Marker;
  /** The first request (no cursor yet). */
  readonly firstUrl: Template;
  readonly headers: readonly HeaderTemplate[];
  readonly cursorFrom: CursorSource;
  /** Headers that carry the cursor back (send: {headers}); sent only once a cursor is known. */
  readonly cursorHeaders: readonly HeaderTemplate[];
  /** The cursor's first values (variable name → template: `cursor`, or `cursor.name` for header cursors), when the profile gives them; else the first request has no cursor. */
  readonly initialCursor?: Readonly<Record<string, Template>>;
  readonly body: PollBody;
  readonly emptyStatus: readonly number[];
  readonly drain: boolean;
  readonly connectedWhen: 'answer' | 'sent';
}

export interface SocketIoSpec {
  readonly path: string;
  readonly namespace: string;
  readonly subscribe?: EmitSpec;
  readonly event: string;
  readonly publish?: EmitSpec;
}

export interface EmitSpec {
  readonly event: string;
  readonly args: readonly Template[];
  readonly ack: boolean;
}

export interface TransportSpecs {
  readonly sse?: SseSpec;
  readonly ws?: WsSpec;
  readonly polling?: PollSpec;
  readonly 'long-polling'?: PollSpec;
}

export interface Profile {
  readonly name: string;
  /** 'built-in' or the file it was read from, for messages. */
  readonly source: string;
  readonly description: string;
  readonly ready?: { readonly path: string; readonly statuses: readonly number[] };
  readonly publish: PublishSpec;
  readonly marker: Marker;
  readonly transports: TransportSpecs;
  readonly driver?: 'socket.io';
  readonly socketIo?: SocketIoSpec;
  readonly serverLoad: {
    readonly processes: 'pid' | 'tree';
    readonly stats?: { readonly path: string; readonly fields: Readonly<Record<string, RegExp>> };
  };
}


/** The marker a transport's messages are read with: its own, else the profile's. */
export function markerFor(profile: Profile, transport: Transport): Marker {
  return profile.transports[transport]?.marker ?? profile.marker;
}

/** A marker as a profile file spells it: `marker: scan`, `marker: {path: payload}`. */
export function describeMarker(marker: Marker): string {
  return marker.kind === 'path' ? `marker: {path: ${marker.path.join('.')}}` : `marker: ${marker.kind}`;
}
