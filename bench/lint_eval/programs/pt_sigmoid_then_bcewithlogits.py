import torch
import torch.nn as nn


class SpamClassifier(nn.Module):
    def __init__(self, vocab_size, embed_dim=100):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim)
        self.fc = nn.Linear(embed_dim, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, text, offsets):
        return self.sigmoid(self.fc(self.embedding(text, offsets)))


model = SpamClassifier(vocab_size=30000)
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters())
for text, offsets, label in loader:
    predicted = model(text, offsets)
    loss = criterion(predicted.squeeze(1), label.float())
