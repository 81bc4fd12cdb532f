import { Component, type ReactNode } from 'react'

/** The smallest error boundary: shows the caught error's name and message. */
export class ErrorBoundary extends Component<{ children: ReactNode; onCatch: (error: Error) => void }, { error: Error | undefined }> {
  override state = { error: undefined as Error | undefined }
  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error }
  }
  override componentDidCatch(error: Error): void {
    this.props.onCatch(error)
  }
  override render(): ReactNode {
    return this.state.error ? <p data-testid="boundary">{`${this.state.error.name}: ${this.state.error.message}`}</p> : this.props.children
  }
}
