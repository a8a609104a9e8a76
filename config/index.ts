export * from "./schema";
export * from "./errors";
export * from "./validate";
export * from "./load";
export * from "./docs";
export * from "./json-schema";
