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

/** The runner's side of the XCom backend: each call is a request to the parent, which owns the real backend. */
export class IpcXComBackend implements XComBackend {
  readonly #send: (m: FromRunner) => void;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #nextId = 1;

  constructor(send: (m: FromRunner) => void) {
    this.#send = send;
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
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#send({ type: 'xcom', id, op, arg });
    });
  }
}
