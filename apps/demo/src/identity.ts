/** Who this device is, as shown to the others. */
export interface Peer {
  name: string
  color: string
}

const animals = ['Otter', 'Heron', 'Lynx', 'Marten', 'Ibis', 'Puffin', 'Gecko', 'Bison', 'Koala', 'Tapir']
const colors = ['#e4572e', '#17bebb', '#d4a90f', '#76b041', '#7d5ba6', '#2e86ab', '#f18f01', '#c73e1d']
const KEY = 'driftless-demo:peer'

const isPeer = (value: unknown): value is Peer =>
  typeof value === 'object' && value !== null && typeof (value as Peer).name === 'string' && typeof (value as Peer).color === 'string'

/**
 * This device's name and colour: picked once at random, then kept in localStorage, so a reload (or another
 * tab of the same browser) shows the same name instead of a new stranger.
 */
export function devicePeer(storage: Pick<Storage, 'getItem' | 'setItem'> = localStorage): Peer {
  try {
    const saved: unknown = JSON.parse(storage.getItem(KEY) ?? 'null')
    if (isPeer(saved)) return saved
  } catch { /* unreadable: pick a new one */ }
  const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T
  const peer = { name: `${pick(animals)} ${Math.floor(Math.random() * 90) + 10}`, color: pick(colors) }
  try {
    storage.setItem(KEY, JSON.stringify(peer))
  } catch { /* storage refused (private mode): the name lasts for this page */ }
  return peer
}
