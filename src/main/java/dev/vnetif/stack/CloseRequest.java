package dev.vnetif.stack;

/**
 * Every way a user can ask a flow to close, in one closed set: the actor protocol's {@link
 * FlowCommand.Close}, {@link FlowCommand.ConfirmedClose} and {@link FlowCommand.Abort}, and the
 * {@code CompletionStage} API's {@link FlowInternal.CloseAndWait} and {@link
 * FlowInternal.Shutdown}. The flow remembers the first one that closed its sending side: it decides
 * which event ends the actor protocol (Closed, ConfirmedClosed, Aborted).
 */
sealed interface CloseRequest extends FlowCommand
    permits FlowCommand.Close,
        FlowCommand.ConfirmedClose,
        FlowCommand.Abort,
        FlowInternal.CloseAndWait,
        FlowInternal.Shutdown {}
