using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConnectPlus.Web.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class Runs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "CancelRequested",
                table: "Runs",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CancelRequestedBy",
                table: "Runs",
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LogLinesDropped",
                table: "Runs",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "ResumeOf",
                table: "Runs",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OnInterrupted",
                table: "Dataflows",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "Resume");

            migrationBuilder.CreateTable(
                name: "RunLogLines",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    RunId = table.Column<long>(type: "bigint", nullable: false),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    Time = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    Level = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    NodeId = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: true),
                    Message = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RunLogLines", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RunLogLines_Runs_RunId",
                        column: x => x.RunId,
                        principalTable: "Runs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Runs_OneActivePerDataflow",
                table: "Runs",
                column: "DataflowId",
                unique: true,
                filter: "\"Status\" IN ('Queued', 'Running')");

            migrationBuilder.CreateIndex(
                name: "IX_RunLogLines_RunId_Sequence",
                table: "RunLogLines",
                columns: new[] { "RunId", "Sequence" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RunLogLines");

            migrationBuilder.DropIndex(
                name: "IX_Runs_OneActivePerDataflow",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "CancelRequested",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "CancelRequestedBy",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "LogLinesDropped",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "ResumeOf",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "OnInterrupted",
                table: "Dataflows");
        }
    }
}
