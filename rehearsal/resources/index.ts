import { ResourceHandler } from "./types";
import { dockerNetwork } from "./docker-network";
import { dockerVolume } from "./docker-volume";
import { dockerImage } from "./docker-image";
import { dockerContainer } from "./docker-container";
import { postgresqlRole } from "./postgresql-role";
import { postgresqlDatabase } from "./postgresql-database";
import { postgresqlGrant } from "./postgresql-grant";
import { postgresqlDefaultPrivileges } from "./postgresql-default-privileges";
import { postgresqlSchema } from "./postgresql-schema";

/** Every resource type the rehearsal can apply, by Terraform type name. */
export const HANDLERS: ReadonlyMap<string, ResourceHandler> = new Map(
  [
    dockerNetwork,
    dockerVolume,
    dockerImage,
    dockerContainer,
    postgresqlRole,
    postgresqlDatabase,
    postgresqlGrant,
    postgresqlDefaultPrivileges,
    postgresqlSchema,
  ].map((h) => [h.type, h]),
);
