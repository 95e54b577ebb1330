/**
 * The project's channel flow: one processor, the intake function, invoked asynchronously. The
 * setup command creates it in AWS; the local stack hands the same definition to the Chime
 * emulator, so `npm start` and a deployed stage run through the same shape of flow.
 */
export type FallbackAction = 'ABORT' | 'CONTINUE';

export interface ProcessorSpec {
  Name: string;
  ExecutionOrder: number;
  FallbackAction: FallbackAction;
  Configuration: { Lambda: { ResourceArn: string; InvocationType: 'ASYNC' } };
}

export interface FlowSpec {
  name: string;
  processors: ProcessorSpec[];
}

/** The processor's name inside the flow. */
export const INTAKE_PROCESSOR_NAME = 'intake';

/** A flow is named after the service and the stage, like the stack (`chime-flow-moderation-prod`). */
export const flowName = (service: string, stage: string) => `${service}-${stage}`;

export function projectFlow(settings: { service: string; stage: string; intakeArn: string; fallback: FallbackAction }): FlowSpec {
  return {
    name: flowName(settings.service, settings.stage),
    processors: [
      {
        Name: INTAKE_PROCESSOR_NAME,
        ExecutionOrder: 1,
        FallbackAction: settings.fallback,
        Configuration: { Lambda: { ResourceArn: settings.intakeArn, InvocationType: 'ASYNC' } },
      },
    ],
  };
}
