export * from "./schema";
export * from "./errors";
export * from "./validate";
export * from "./load";
export * from "./docs";
