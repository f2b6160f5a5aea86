import type { JsonValue } from '@updraft/core';
import type { TryError } from '../run-try.js';
import type { XComBackend, XComEntry, XComRef } from '../xcom.js';
import type { FromRunner, ToRunner, XComOp } from './protocol.js';

/** An error thrown by the owner's XCom backend, carried back to the runner with its original name. */
export class RemoteXComError extends Error {
  override name: string;
  constructor(error: TryError) {
    super(error.message);
    this.name = error.name;
    if (error.stack !== null) this.stack = error.stack;
  }
}

/** A call made after its try ended (from a callback the task left behind). */
export class XComChannelClosedError extends Error {
  override name = 'XComChannelClosedError';
  constructor(op: XComOp) {
    super(`XCom ${op} after the try ended: its runner no longer takes XCom calls for it`);
  }
}

/**
 * The runner's side of the XCom backend: each call is a request to the parent, which owns the real backend. It
 * serves one try at a time: requests carry the try's `seq`, and calls made while no try is bound fail.
 */
export class IpcXComBackend implements XComBackend {
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #send: ((m: FromRunner) => void) | null = null;
  #seq = 0;
  #nextId = 1;

  /** Serves the try `seq` from now on. */
  bind(send: (m: FromRunner) => void, seq: number): void {
    this.#send = send;
    this.#seq = seq;
  }

  /** The try ended: later calls fail (answers to calls already sent still settle them). */
  unbind(): void {
    this.#send = null;
  }

  /** Settles the request a parent's answer refers to. */
  receive(m: Extract<ToRunner, { type: 'xcom-result' }>): void {
    const p = this.#pending.get(m.id);
    if (!p) return;
    this.#pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(new RemoteXComError(m.error));
  }

  push(entry: XComEntry): Promise<void> {
    return this.#call('push', entry) as Promise<void>;
  }

  pull(ref: XComRef): Promise<JsonValue | undefined> {
    return this.#call('pull', ref) as Promise<JsonValue | undefined>;
  }

  clear(ref: Omit<XComRef, 'key'>): Promise<void> {
    return this.#call('clear', ref) as Promise<void>;
  }

  list(ref: { dagId: string; runId: string }): Promise<XComEntry[]> {
    return this.#call('list', ref) as Promise<XComEntry[]>;
  }

  #call(op: XComOp, arg: unknown): Promise<unknown> {
    const send = this.#send;
    if (send === null) return Promise.reject(new XComChannelClosedError(op));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      send({ type: 'xcom', seq: this.#seq, id, op, arg });
    });
  }
}
