/**
 * Origins of the updates a replica applies itself. None is a local edit: the replica neither records them as
 * pending nor stores them again.
 */
export const Origin = {
  /** Restored or adopted from local storage: stored already. */
  storage: Symbol('driftless:storage'),
  /** From another tab of the device: that tab stores it and sends it. */
  otherTab: Symbol('driftless:other-tab'),
  /** From the relay: stored (by the one tab that got it from the socket), never sent back. */
  relay: Symbol('driftless:relay'),
} as const
