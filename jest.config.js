/** Every suite under tests/ written in TypeScript; other parts add folders. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
  },
  setupFilesAfterEnv: ["<rootDir>/jest.setup.js"],
  // Inline snapshots are written without Prettier (Jest 29 needs Prettier 2).
  prettierPath: null,
  testPathIgnorePatterns: ["/node_modules/", "/cdktf.out/"],
};
