// client.ts: a CRI RuntimeService client over containerd's socket, as kubelet talks to it (gRPC, runtime.v1).
import { join } from 'node:path';
import { credentials, loadPackageDefinition, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

type Call = (
  request: object,
  callback: (error: ServiceError | null, response: unknown) => void,
) => void;

export interface CriClient {
  /** One RPC by its name; rejects with the gRPC error's details. */
  call<T = Record<string, unknown>>(method: string, request: object): Promise<T>;
  close(): void;
}

export function criClient(socket: string): CriClient {
  const definition = loadSync(join(import.meta.dirname, 'cri-api.proto'), {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
  });
  const api = loadPackageDefinition(definition) as unknown as {
    runtime: {
      v1: {
        RuntimeService: new (
          address: string,
          creds: unknown,
        ) => Record<string, Call> & { close(): void };
      };
    };
  };
  const client = new api.runtime.v1.RuntimeService(
    `unix://${socket}`,
    credentials.createInsecure(),
  );
  return {
    call: <T>(method: string, request: object) =>
      new Promise<T>((resolve, reject) => {
        const fn = client[method] as Call;
        fn.call(client, request, (error, response) => {
          if (error) reject(new Error(`${method}: ${error.details || error.message}`));
          else resolve(response as T);
        });
      }),
    close: () => client.close(),
  };
}
