/** The server URL and document a tab page opens, from its query string (?url=...&doc=...). */
export const tabParams = (): { url: string; doc: string } => {
  const params = new URLSearchParams(location.search)
  const url = params.get('url')
  const doc = params.get('doc')
  if (!url || !doc) throw new Error('tab page needs ?url=&doc=')
  return { url, doc }
}
