import type { Replica } from '@driftless/replica'
import { presence } from '@driftless/replica/presence'
import Collaboration from '@tiptap/extension-collaboration'
import CollaborationCaret from '@tiptap/extension-collaboration-caret'
import { EditorContent, useEditor } from '@tiptap/react'
import StarterKit from '@tiptap/starter-kit'
import type { ReactNode } from 'react'

/** The person typing, as their caret shows them to others. */
export interface CaretUser {
  readonly name: string
  readonly color: string
}

/** A TipTap editor bound to the replica's `body` fragment, with everyone's carets and names. */
export function RichText({ replica, user }: { replica: Replica; user: CaretUser }): ReactNode {
  const editor = useEditor({
    extensions: [
      // Collaboration brings its own undo (per user, over Yjs), so the starter kit's must be off.
      StarterKit.configure({ undoRedo: false }),
      Collaboration.configure({ document: replica.doc, field: 'body' }),
      CollaborationCaret.configure({ provider: { awareness: presence(replica) }, user: { ...user } }),
    ],
    editorProps: { attributes: { 'data-testid': 'editor', 'aria-label': 'Document text', class: 'rich-text' } },
  }, [replica, user.name, user.color])
  return <EditorContent editor={editor} className="rich-text-frame" />
}
