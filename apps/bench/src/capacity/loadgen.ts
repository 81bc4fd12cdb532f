// The capacity scenario's load-generator process (pinned by the harness to a core of its own): raw websocket
// connections that write prepared updates on a fixed schedule and count what they receive, without Yjs.
import { readFileSync } from 'node:fs'
import * as Y from 'yjs'
import type { LoadCommand, LoadReport, StepCounts } from './commands.js'
import { Probe, ProbeLog } from './probes.js'
import { CODECS, KEEPALIVE_MS, type ProtocolCodec } from './protocols.js'
import { RawSocket } from './raw-socket.js'
import { EditCounter, forEachStruct } from './structs.js'
import { clientFrame } from './wire.js'

const CONNECT_BATCH = 50
const OPEN_BATCH = 50
/**
 * Documents opened at once on one multiplexed socket: Hocuspocus closes a socket with 100 documents
 * still being set up, and a batch counts as answered before its documents are fully set up.
 */
const MULTIPLEXED_OPEN_BATCH = 10
const QUIET_MS = 150
const REPLY_TIMEOUT_MS = 60_000

const report = (message: LoadReport): void => { process.send?.(message) }
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits until `ready()` holds and then until no socket received anything for `quietMs`. */
const settle = async (sockets: readonly RawSocket[], ready: () => boolean, maxMs = REPLY_TIMEOUT_MS, quietMs = QUIET_MS): Promise<void> => {
  const deadline = performance.now() + maxMs
  while (!ready()) {
    if (performance.now() > deadline) {
      const closed = sockets.filter((s) => s.closed).length
      throw new Error(`the server did not answer every connection within ${maxMs} ms (${closed} of ${sockets.length} sockets closed by it)`)
    }
    await sleep(10)
  }
  let last = -1
  for (;;) {
    const frames = sockets.reduce((sum, s) => sum + s.frames, 0)
    if (frames === last || quietMs === 0 || performance.now() > deadline) return
    last = frames
    await sleep(quietMs)
  }
}

/** One connection on the load document: what it wrote and what it counted. */
interface Member {
  socket: RawSocket
  /** The Yjs client id of its own writes (never counted as delivered to itself), or -1. */
  client: number
  frames: Buffer[]
  next: number
  delivered: number
  writtenBefore: number
}

let members: Member[] = []
let writers: Member[] = []
let probes: { probe: Probe; socket: RawSocket; written: number }[] = []
let probeLog = new ProbeLog(0)
let probeIntervalMs = 100
let extraSockets: RawSocket[] = []

const openAll = async <T>(count: number, open: (index: number) => Promise<T>): Promise<T[]> => {
  const out: T[] = []
  for (let i = 0; i < count; i += CONNECT_BATCH) {
    out.push(...await Promise.all(Array.from({ length: Math.min(CONNECT_BATCH, count - i) }, (_, j) => open(i + j))))
  }
  return out
}

const greetAndOpen = (socket: RawSocket, codec: ProtocolCodec, docId: string): void => {
  for (const message of codec.greeting()) socket.send(message)
  for (const message of codec.open(docId)) socket.send(message)
}

/** Each writer's own edits (one character appended to 'text' each), encoded and framed ahead. */
const prepareEdits = (codec: ProtocolCodec, docId: string, count: number): { client: number; frames: Buffer[] } => {
  const doc = new Y.Doc()
  const frames: Buffer[] = []
  doc.on('update', (update: Uint8Array) => frames.push(clientFrame(codec.update(docId, update, frames.length + 1))))
  const text = doc.getText('text')
  for (let i = 0; i < count; i++) text.insert(i, String.fromCharCode(97 + (i % 26)))
  const client = doc.clientID
  doc.destroy()
  return { client, frames }
}

const setup = async (command: Extract<LoadCommand, { type: 'setup' }>): Promise<void> => {
  const codec = CODECS[command.protocol]
  probeLog = new ProbeLog(command.observers)
  probeIntervalMs = command.probeIntervalMs
  const probeClients = new Set<number>()
  const editCounter = new EditCounter()
  members = await openAll(command.subscribers, async (index) => {
    const edits = index < command.writers ? prepareEdits(codec, command.docId, command.editsPerWriter) : { client: -1, frames: [] }
    const member: Member = { socket: undefined as unknown as RawSocket, client: edits.client, frames: edits.frames, next: 0, delivered: 0, writtenBefore: 0 }
    const observer = index >= command.subscribers - command.observers ? index - (command.subscribers - command.observers) : -1
    member.socket = await RawSocket.open(command.url, codec.path(command.docId), codec.subprotocol, (message) => {
      const range = codec.broadcastUpdate(message)
      if (range === null) return
      if (observer < 0) {
        const totals = editCounter.totals(message, range[0], range[1])
        member.delivered += totals.all - (totals.byClient.get(member.client) ?? 0)
        return
      }
      const at = performance.now()
      forEachStruct(message, range[0], range[1], (client, clock, length) => {
        if (client === member.client) return
        member.delivered += length
        if (probeClients.has(client)) probeLog.observed(observer, client, clock, length, at)
      })
    })
    greetAndOpen(member.socket, codec, command.docId)
    return member
  })
  writers = members.slice(0, command.writers)
  probes = await openAll(command.probes, async () => {
    // Probe sockets only write; what they receive is read and dropped.
    const socket = await RawSocket.open(command.url, codec.path(command.docId), codec.subprotocol, () => {})
    greetAndOpen(socket, codec, command.docId)
    let sequence = 0
    const probe = new Probe((update) => socket.write(clientFrame(codec.update(command.docId, update, ++sequence))))
    probeClients.add(probe.client)
    return { probe, socket, written: 0 }
  })
  const sockets = [...members.map((m) => m.socket), ...probes.map((p) => p.socket)]
  await settle(sockets, () => sockets.every((s) => s.frames > 0))
}

/** Starts every probe on its own timer, staggered so that one writes every interval ÷ probes; returns the stop. */
const startProbes = (log: ProbeLog): (() => void) => {
  const timers: NodeJS.Timeout[] = []
  probes.forEach((entry, index) => {
    entry.written = 0
    const write = (): void => {
      const clock = entry.probe.write()
      log.wrote(entry.probe.client, clock, performance.now())
      entry.written++
    }
    timers.push(setTimeout(() => {
      write()
      timers.push(setInterval(write, probeIntervalMs))
    }, (index * probeIntervalMs) / probes.length))
  })
  return () => { for (const timer of timers) clearTimeout(timer) }
}

const step = async (command: Extract<LoadCommand, { type: 'step' }>): Promise<StepCounts> => {
  const log = new ProbeLog(observerCount)
  probeLog = log
  for (const member of members) {
    member.delivered = 0
    member.writtenBefore = member.next
  }
  let written = 0
  let lag = 0
  report({ type: 'began' })
  const stopProbes = startProbes(log)
  const started = performance.now()
  await new Promise<void>((resolve, reject) => {
    // A steady schedule: every millisecond or so, send whatever the offered rate says is due by now.
    const tick = (): void => {
      const elapsed = Math.min(performance.now() - started, command.durationMs)
      // The probes' process has no writers: it only runs the probes for the step's duration.
      const due = writers.length === 0 ? 0 : Math.floor((command.rate * elapsed) / 1000)
      lag = Math.max(lag, ((due - written) / command.rate) * 1000)
      // A high rate makes several edits due per writer and tick: each writer's leave in one syscall.
      const corked = due - written > 1 ? writers : []
      for (const writer of corked) writer.socket.cork()
      while (written < due) {
        const writer = writers[written % writers.length]!
        const frame = writer.frames[writer.next++]
        if (frame === undefined) return reject(new Error('a writer ran out of prepared edits'))
        writer.socket.write(frame)
        written++
      }
      for (const writer of corked) writer.socket.uncork()
      if (elapsed < command.durationMs) setTimeout(tick, 1)
      else resolve()
    }
    tick()
  })
  stopProbes()
  await sleep(command.graceMs)
  const counts = snapshot(written)
  report({ type: 'sampled' })
  await settle(allSockets(), () => true, command.settleMs)
  return { ...counts, ...log.latencies(), scheduleLagMs: lag }
}

/** The current protocol's keep-alive, framed: every socket silent for KEEPALIVE_MS sends it, as a client would. */
let keepAlive: Buffer | undefined
setInterval(() => {
  if (keepAlive === undefined) return
  const due = performance.now() - KEEPALIVE_MS
  for (const socket of allSockets()) if (socket.lastWrite <= due) socket.write(keepAlive)
}, KEEPALIVE_MS / 3).unref()

const allSockets = (): RawSocket[] => [...members.map((m) => m.socket), ...probes.map((p) => p.socket), ...extraSockets]

const snapshot = (writerEdits: number): Pick<StepCounts, 'written' | 'subscribers'> => ({
  written: writerEdits + probes.reduce((sum, p) => sum + p.written, 0),
  subscribers: members.map((member) => ({ delivered: member.delivered, own: member.next - member.writtenBefore })),
})

/** A small document's first content, written by the first connection. */
const smallUpdate = (): Uint8Array => {
  const doc = new Y.Doc()
  doc.getText('text').insert(0, 'a small document')
  const update = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return update
}

/**
 * `connections` clients each holding the same `docs` documents: multiplexed on one socket per client where
 * the protocol allows it, one socket per document and client where it does not (y-websocket).
 */
const manyDocs = async (command: Extract<LoadCommand, { type: 'many-docs' }>): Promise<number> => {
  const codec = CODECS[command.protocol]
  const docIds = Array.from({ length: command.docs }, (_, d) => `small-${(command.firstDoc ?? 0) + d}`)
  const socketsBefore = extraSockets.length
  const update = smallUpdate()
  const perDocument = codec.open('x').length === 0
  const clients = Array.from({ length: command.connections }, (_, c) => c)
  await Promise.all(clients.map(async (client) => {
    const write = (socket: RawSocket, docId: string, sequence: number): void => {
      if (client === 0) socket.send(codec.update(docId, update, sequence))
    }
    if (perDocument) {
      for (let d = 0; d < docIds.length; d += OPEN_BATCH) {
        const batch = await Promise.all(docIds.slice(d, d + OPEN_BATCH).map((docId) => RawSocket.open(command.url, codec.path(docId), codec.subprotocol, () => {})))
        batch.forEach((socket, i) => write(socket, docIds[d + i]!, 1))
        extraSockets.push(...batch)
        await settle(batch, () => batch.every((s) => s.frames > 0), REPLY_TIMEOUT_MS, 0)
      }
      return
    }
    const socket = await RawSocket.open(command.url, codec.path(docIds[0]!), codec.subprotocol, () => {})
    extraSockets.push(socket)
    for (const message of codec.greeting()) socket.send(message)
    for (let d = 0; d < docIds.length; d += MULTIPLEXED_OPEN_BATCH) {
      const batch = docIds.slice(d, d + MULTIPLEXED_OPEN_BATCH)
      const before = socket.frames
      batch.forEach((docId, i) => {
        for (const message of codec.open(docId)) socket.send(message)
        write(socket, docId, d + i + 1)
      })
      await settle([socket], () => socket.frames >= before + batch.length * codec.openReplies, REPLY_TIMEOUT_MS, 0)
    }
  }))
  await settle(extraSockets, () => true)
  return extraSockets.length - socketsBefore
}

/** `connections` sockets that open no document (y-websocket's URL always names one: they share it). */
const idle = async (command: Extract<LoadCommand, { type: 'idle' }>): Promise<number> => {
  const codec = CODECS[command.protocol]
  const sockets = await openAll(command.connections, async () => {
    const socket = await RawSocket.open(command.url, codec.path('idle'), codec.subprotocol, () => {})
    for (const message of codec.greeting()) socket.send(message)
    return socket
  })
  extraSockets.push(...sockets)
  await settle(sockets, () => true)
  return sockets.length
}

/** Loads the large document through one connection, then a fresh one receives all of it. */
const large = async (command: Extract<LoadCommand, { type: 'large' }>): Promise<number> => {
  const codec = CODECS[command.protocol]
  const update = new Uint8Array(readFileSync(command.updatePath))
  const writer = await RawSocket.open(command.url, codec.path(command.docId), codec.subprotocol, () => {})
  greetAndOpen(writer, codec, command.docId)
  await settle([writer], () => writer.frames > 0)
  writer.send(codec.update(command.docId, update, 1))
  // The server has the document once a fresh client's initial sync carries it.
  let reader: RawSocket | undefined
  const deadline = performance.now() + REPLY_TIMEOUT_MS
  for (;;) {
    await sleep(200)
    reader?.close()
    reader = await RawSocket.open(command.url, codec.path(command.docId), codec.subprotocol, () => {})
    greetAndOpen(reader, codec, command.docId)
    // y-websocket's server answers only a step 1 of the client's: send the empty one.
    if (command.protocol === 'y-websocket') reader.send(Uint8Array.of(0, 0, 1, 0))
    const received = reader
    await settle([received], () => received.bytes >= update.length || performance.now() > deadline)
    if (received.bytes >= update.length) break
    if (performance.now() > deadline) throw new Error('the large document never came back')
  }
  extraSockets.push(writer, reader)
  return 2
}

const closeAll = (): void => {
  for (const socket of allSockets()) socket.close()
  members = []
  writers = []
  probes = []
  extraSockets = []
}

let observerCount = 0

process.on('message', (command: LoadCommand) => {
  if ('protocol' in command) {
    const frame = CODECS[command.protocol].keepAlive
    keepAlive = frame === undefined ? undefined : clientFrame(frame)
  }
  const run = async (): Promise<LoadReport> => {
    switch (command.type) {
      case 'setup':
        observerCount = command.observers
        await setup(command)
        return { type: 'ready' }
      case 'step':
        return { type: 'step-done', counts: await step(command) }
      case 'many-docs':
        return { type: 'done', sockets: await manyDocs(command) }
      case 'idle':
        return { type: 'done', sockets: await idle(command) }
      case 'large':
        return { type: 'done', sockets: await large(command) }
      case 'close':
        closeAll()
        return { type: 'done', sockets: 0 }
    }
  }
  run().then(report, (error: unknown) => report({ type: 'failed', message: `${command.type}: ${error instanceof Error ? error.message : String(error)}` }))
})
process.on('disconnect', () => process.exit(0))
