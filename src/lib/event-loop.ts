/** One turn of the event loop, so requests waiting on this process are served between documents. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
